// Data movement: slice, constant pad, concat and split of row-major tensors, all as strided
// block copies (and fills) of elements of `elem_bytes` bytes (4 for float32 and int32, 1 for
// bool). Results are copies, so they are bit-exact and independent of the thread count.
#pragma once

#include <cstdint>

namespace samlab {

constexpr int kMaxCopyRank = 8;

// One rectangular block of `rank` dimensions moved from `src` to `dst` (or, with src null,
// filled with one value), the strides per dimension in elements on each side. Row-major
// sub-blocks have unit innermost strides; any others are copied element by element.
struct CopyBlock {
  int rank = 0;
  int64_t shape[kMaxCopyRank] = {};
  int64_t src_strides[kMaxCopyRank] = {};
  int64_t dst_strides[kMaxCopyRank] = {};
  const void* src = nullptr;
  void* dst = nullptr;
};

// Runs every block (they must not overlap in dst): adjacent dimensions contiguous on both
// sides are merged so each innermost run is one memcpy (or fill), and the runs of all blocks
// are split over the thread pool when there are enough bytes to pay for waking it.
// `fill_value` (elem_bytes bytes) is what blocks without a source are filled with.
void run_copy_blocks(const CopyBlock* blocks, int count, int elem_bytes, const void* fill_value);

// out[size] = x[shape][begin : begin + size]; rank <= kMaxCopyRank.
void slice(int rank, const int64_t* shape, const int64_t* begin, const int64_t* size, const void* x, void* out,
           int elem_bytes);

// out = x with before[d] and after[d] elements of `value` around each dimension d.
void pad(int rank, const int64_t* shape, const int64_t* before, const int64_t* after, const void* x, void* out,
         int elem_bytes, const void* value);

// out = x tiled reps[d] times along each dimension d (tfjs's Tile; broadcastTo runs it):
// out[shape[d] * reps[d]] with out(.., r * shape[d] + i, ..) = x(.., i, ..); rank <= kMaxCopyRank / 2.
void tile(int rank, const int64_t* shape, const int64_t* reps, const void* x, void* out, int elem_bytes);

// A tensor seen as [outer, sum(sizes) * inner] and its parts [outer, sizes[i] * inner], the
// parts side by side along the middle axis (tfjs's Concat and SplitV along one axis).
struct Parts {
  int64_t outer;
  int64_t inner;
  const int64_t* sizes;
  int count;
};

// whole = the parts side by side.
void concat(const Parts& p, const void* const* parts, void* whole, int elem_bytes);

// parts = the consecutive pieces of whole.
void split(const Parts& p, const void* whole, void* const* parts, int elem_bytes);

}  // namespace samlab
