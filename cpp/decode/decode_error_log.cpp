#include "decode/decode_error_log.h"

#include <mutex>
#include <unordered_set>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/log.h>
}

namespace vxfast {

namespace {
std::mutex g_mu;
std::unordered_set<void*>* g_counters = new std::unordered_set<void*>();  // never freed: used at exit
std::once_flag g_once;

void log_hook(void* avcl, int level, const char* fmt, va_list vl) {
  if (avcl && level <= AV_LOG_ERROR) {
    const AVClass* cls = *static_cast<const AVClass**>(avcl);
    if (cls == avcodec_get_class()) {
      void* opaque = static_cast<AVCodecContext*>(avcl)->opaque;
      if (opaque) {
        std::lock_guard<std::mutex> lock(g_mu);
        if (g_counters->count(opaque)) static_cast<DecodeErrorCounter*>(opaque)->errors.fetch_add(1);
      }
    }
  }
  av_log_default_callback(avcl, level, fmt, vl);
}
}  // namespace

void register_error_counter(DecodeErrorCounter* c) {
  std::call_once(g_once, [] { av_log_set_callback(log_hook); });
  std::lock_guard<std::mutex> lock(g_mu);
  g_counters->insert(c);
}

void unregister_error_counter(DecodeErrorCounter* c) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_counters->erase(c);
}

}  // namespace vxfast
