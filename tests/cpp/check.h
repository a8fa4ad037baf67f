#pragma once
// A minimal test harness for the C++ tests (no dependency): TEST(name) { ... } registers a case;
// CHECK* record a failure and go on, REQUIRE* end the case; SKIP(why) skips it. main() runs every
// case (or those whose name contains argv[1]) and exits 0, 1 on any failure, or 77 (CTest's skip
// code here) when every case was skipped.
#include <cstdio>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

namespace vxtest {

struct Case {
  const char* name;
  void (*fn)();
};
inline std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}
struct Register {
  Register(const char* name, void (*fn)()) { cases().push_back({name, fn}); }
};
struct Abort {};  // thrown by REQUIRE to leave the current case
struct Skipped {
  std::string why;
};

inline int& failures() {
  static int n = 0;
  return n;
}
inline void fail(const char* file, int line, const std::string& what) {
  ++failures();
  std::fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, what.c_str());
}

template <class A, class B>
std::string describe_ne(const char* ea, const char* eb, const A& a, const B& b) {
  std::ostringstream os;
  os << ea << " == " << eb << " (" << a << " vs " << b << ")";
  return os.str();
}

}  // namespace vxtest

#define TEST(name)                                              \
  static void name();                                           \
  static const vxtest::Register name##_registered(#name, name); \
  static void name()

#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) vxtest::fail(__FILE__, __LINE__, "CHECK(" #cond ")");   \
  } while (0)

#define REQUIRE(cond)                                                    \
  do {                                                                   \
    if (!(cond)) {                                                       \
      vxtest::fail(__FILE__, __LINE__, "REQUIRE(" #cond ")");            \
      throw vxtest::Abort{};                                             \
    }                                                                    \
  } while (0)

#define CHECK_EQ(a, b)                                                                   \
  do {                                                                                   \
    const auto vx_a = (a);                                                              \
    const auto vx_b = (b);                                                              \
    if (!(vx_a == vx_b)) vxtest::fail(__FILE__, __LINE__, vxtest::describe_ne(#a, #b, vx_a, vx_b)); \
  } while (0)

#define REQUIRE_EQ(a, b)                                                                 \
  do {                                                                                   \
    const auto vx_a = (a);                                                              \
    const auto vx_b = (b);                                                              \
    if (!(vx_a == vx_b)) {                                                               \
      vxtest::fail(__FILE__, __LINE__, vxtest::describe_ne(#a, #b, vx_a, vx_b));         \
      throw vxtest::Abort{};                                                             \
    }                                                                                    \
  } while (0)

// CHECK_THROWS(expr, Type, "text"): expr throws Type (or a subclass) whose what() contains text.
#define CHECK_THROWS(expr, Type, text)                                                   \
  do {                                                                                   \
    bool vx_thrown = false;                                                              \
    try {                                                                                \
      (void)(expr);                                                                      \
    } catch (const Type& e) {                                                            \
      vx_thrown = true;                                                                  \
      const std::string vx_text(text);                                                   \
      if (!std::strstr(e.what(), vx_text.c_str()))                                       \
        vxtest::fail(__FILE__, __LINE__, std::string(#expr " threw \"") + e.what() +    \
                                             "\", not containing \"" + vx_text + "\""); \
    }                                                                                    \
    if (!vx_thrown) vxtest::fail(__FILE__, __LINE__, #expr " did not throw " #Type);     \
  } while (0)

#define SKIP(why) throw vxtest::Skipped{why}

int main(int argc, char** argv) {
  int ran = 0, skipped = 0;
  for (const auto& c : vxtest::cases()) {
    if (argc > 1 && !std::strstr(c.name, argv[1])) continue;
    const int before = vxtest::failures();
    std::fprintf(stderr, "[ RUN  ] %s\n", c.name);
    try {
      c.fn();
    } catch (const vxtest::Abort&) {
    } catch (const vxtest::Skipped& s) {
      ++skipped;
      std::fprintf(stderr, "[ SKIP ] %s: %s\n", c.name, s.why.c_str());
      continue;
    } catch (const std::exception& e) {
      vxtest::fail(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
    }
    ++ran;
    std::fprintf(stderr, "[ %s ] %s\n", vxtest::failures() == before ? " OK " : "FAIL", c.name);
  }
  std::fprintf(stderr, "%d run, %d skipped, %d failed checks\n", ran, skipped, vxtest::failures());
  if (vxtest::failures() > 0) return 1;
  return ran == 0 && skipped > 0 ? 77 : 0;
}
