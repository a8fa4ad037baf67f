#pragma once
// The decode area's reading API, in parts with one job each:
//  - VideoSource (video_source.h): an opened video, its info and frame index; shared, immutable;
//  - FrameSampler (frame_sampler.h): the sequential sampler behind frames() and the pipeline;
//  - RandomAccess (random_access.h): decoding chosen display indices (get_frames_at);
// the last two decode through one FrameCursor (frame_cursor.h), "decode up to display index N".
#include "decode/frame_cursor.h"
#include "decode/frame_sampler.h"
#include "decode/random_access.h"
#include "decode/video_source.h"
