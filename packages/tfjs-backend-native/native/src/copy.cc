#include "copy.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "threadpool.h"

namespace samlab {
namespace {

// Below this many bytes per task, waking pool threads costs more than the copy they share.
constexpr int64_t kMinTaskBytes = int64_t(1) << 17;

// A block reduced to rows: `rows` runs of `row_len` elements, each contiguous on both sides.
struct Rows {
  CopyBlock b;  // collapsed: b.shape[b.rank - 1] == row_len, innermost strides 1
  int64_t rows = 0;
  int64_t row_len = 0;
};

// Drops unit dimensions and merges each dimension into the one outside it wherever both
// sides are contiguous across them, so the innermost dimension is as long as it can be.
Rows collapse(const CopyBlock& in) {
  Rows r;
  CopyBlock& b = r.b;
  b.src = in.src;
  b.dst = in.dst;
  for (int d = 0; d < in.rank; ++d) {
    if (in.shape[d] == 0) return r;  // empty: no rows
    if (in.shape[d] == 1) continue;
    const int64_t ss = in.src ? in.src_strides[d] : in.dst_strides[d];  // fills merge on dst alone
    const int64_t ds = in.dst_strides[d];
    const int last = b.rank - 1;
    if (last >= 0 && b.src_strides[last] == in.shape[d] * ss && b.dst_strides[last] == in.shape[d] * ds) {
      b.shape[last] *= in.shape[d];
      b.src_strides[last] = ss;
      b.dst_strides[last] = ds;
    } else {
      b.shape[b.rank] = in.shape[d];
      b.src_strides[b.rank] = ss;
      b.dst_strides[b.rank] = ds;
      ++b.rank;
    }
  }
  // A lone element, or an innermost dimension strided on one side: rows of one element.
  if (b.rank == 0 || b.src_strides[b.rank - 1] != 1 || b.dst_strides[b.rank - 1] != 1) {
    b.shape[b.rank] = 1;
    b.src_strides[b.rank] = 1;
    b.dst_strides[b.rank] = 1;
    ++b.rank;
  }
  r.row_len = b.shape[b.rank - 1];
  r.rows = 1;
  for (int d = 0; d + 1 < b.rank; ++d) r.rows *= b.shape[d];
  return r;
}

// n elements of `value` at dst.
void fill_run(char* dst, int64_t n, int elem_bytes, const char* value) {
  bool one_byte = true;  // every byte the same (zero, or any bool): memset
  for (int i = 1; i < elem_bytes; ++i) one_byte = one_byte && value[i] == value[0];
  if (one_byte) {
    std::memset(dst, value[0], static_cast<size_t>(n * elem_bytes));
  } else if (elem_bytes == 4) {
    uint32_t v;
    std::memcpy(&v, value, 4);
    for (int64_t i = 0; i < n; ++i) std::memcpy(dst + 4 * i, &v, 4);
  } else {
    for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * elem_bytes, value, static_cast<size_t>(elem_bytes));
  }
}

// Rows [from, to) of one collapsed block: the outer index is decomposed once, then carried.
void run_rows(const Rows& r, int64_t from, int64_t to, int elem_bytes, const char* fill_value) {
  const CopyBlock& b = r.b;
  const int outer = b.rank - 1;
  int64_t idx[kMaxCopyRank] = {};
  int64_t src_off = 0, dst_off = 0;
  const int64_t count = to - from;
  for (int d = outer - 1; d >= 0; --d) {
    idx[d] = from % b.shape[d];
    from /= b.shape[d];
    src_off += idx[d] * b.src_strides[d];
    dst_off += idx[d] * b.dst_strides[d];
  }
  const char* src = static_cast<const char*>(b.src);
  char* dst = static_cast<char*>(b.dst);
  const size_t row_bytes = static_cast<size_t>(r.row_len * elem_bytes);
  for (int64_t row = 0; row < count; ++row) {
    if (src) {
      std::memcpy(dst + dst_off * elem_bytes, src + src_off * elem_bytes, row_bytes);
    } else {
      fill_run(dst + dst_off * elem_bytes, r.row_len, elem_bytes, fill_value);
    }
    for (int d = outer - 1; d >= 0; --d) {
      src_off += b.src_strides[d];
      dst_off += b.dst_strides[d];
      if (++idx[d] < b.shape[d]) break;
      src_off -= b.shape[d] * b.src_strides[d];
      dst_off -= b.shape[d] * b.dst_strides[d];
      idx[d] = 0;
    }
  }
}

// Row-major strides of `shape`, in elements.
void row_major_strides(int rank, const int64_t* shape, int64_t* strides) {
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = s;
    s *= shape[d];
  }
}

int64_t dot(int rank, const int64_t* index, const int64_t* strides) {
  int64_t off = 0;
  for (int d = 0; d < rank; ++d) off += index[d] * strides[d];
  return off;
}

// Moves each part to (concat) or from (split) its columns of the whole, all in one pool run.
// Non-const pointers on both sides: the caller passes its source through const_cast, read only.
void move_parts(const Parts& p, void* const* parts, void* whole, int elem_bytes, bool into_whole) {
  int64_t total = 0;
  for (int i = 0; i < p.count; ++i) total += p.sizes[i];
  std::vector<CopyBlock> blocks(static_cast<size_t>(p.count));
  int64_t column = 0;
  for (int i = 0; i < p.count; ++i) {
    CopyBlock& b = blocks[static_cast<size_t>(i)];
    b.rank = 2;
    b.shape[0] = p.outer;
    b.shape[1] = p.sizes[i] * p.inner;
    int64_t* part_strides = into_whole ? b.src_strides : b.dst_strides;
    int64_t* whole_strides = into_whole ? b.dst_strides : b.src_strides;
    part_strides[0] = b.shape[1];
    part_strides[1] = 1;
    whole_strides[0] = total * p.inner;
    whole_strides[1] = 1;
    void* at = static_cast<char*>(whole) + column * elem_bytes;
    b.src = into_whole ? parts[i] : at;
    b.dst = into_whole ? at : parts[i];
    column += b.shape[1];
  }
  run_copy_blocks(blocks.data(), p.count, elem_bytes, nullptr);
}

}  // namespace

void run_copy_blocks(const CopyBlock* blocks, int count, int elem_bytes, const void* fill_value) {
  std::vector<Rows> rows;
  std::vector<int64_t> first_row{0};  // first_row[k]: global index of block k's first row
  int64_t total_bytes = 0;
  for (int k = 0; k < count; ++k) {
    Rows r = collapse(blocks[k]);
    if (r.rows == 0) continue;
    total_bytes += r.rows * r.row_len * elem_bytes;
    first_row.push_back(first_row.back() + r.rows);
    rows.push_back(r);
  }
  const int64_t total_rows = first_row.back();
  if (total_rows == 0) return;
  const int64_t grain = std::max<int64_t>(1, kMinTaskBytes * total_rows / std::max<int64_t>(total_bytes, 1));
  const char* value = static_cast<const char*>(fill_value);
  parallel_for(total_rows, grain, [&](int64_t begin, int64_t end) {
    size_t k = static_cast<size_t>(std::upper_bound(first_row.begin(), first_row.end(), begin) - first_row.begin() - 1);
    for (; k < rows.size() && first_row[k] < end; ++k) {
      const int64_t from = std::max(begin, first_row[k]) - first_row[k];
      const int64_t to = std::min(end, first_row[k + 1]) - first_row[k];
      run_rows(rows[k], from, to, elem_bytes, value);
    }
  });
}

void slice(int rank, const int64_t* shape, const int64_t* begin, const int64_t* size, const void* x, void* out,
           int elem_bytes) {
  CopyBlock b;
  b.rank = rank;
  std::copy(size, size + rank, b.shape);
  row_major_strides(rank, shape, b.src_strides);
  row_major_strides(rank, size, b.dst_strides);
  b.src = static_cast<const char*>(x) + dot(rank, begin, b.src_strides) * elem_bytes;
  b.dst = out;
  run_copy_blocks(&b, 1, elem_bytes, nullptr);
}

void tile(int rank, const int64_t* shape, const int64_t* reps, const void* x, void* out, int elem_bytes) {
  int64_t out_shape[kMaxCopyRank], x_strides[kMaxCopyRank], out_strides[kMaxCopyRank];
  for (int d = 0; d < rank; ++d) out_shape[d] = shape[d] * reps[d];
  row_major_strides(rank, shape, x_strides);
  row_major_strides(rank, out_shape, out_strides);
  // Each dimension d as two: the repeat (outer; x's stride 0) and x's own index (inner).
  CopyBlock b;
  b.rank = 2 * rank;
  for (int d = 0; d < rank; ++d) {
    b.shape[2 * d] = reps[d];
    b.src_strides[2 * d] = 0;
    b.dst_strides[2 * d] = shape[d] * out_strides[d];
    b.shape[2 * d + 1] = shape[d];
    b.src_strides[2 * d + 1] = x_strides[d];
    b.dst_strides[2 * d + 1] = out_strides[d];
  }
  b.src = x;
  b.dst = out;
  run_copy_blocks(&b, 1, elem_bytes, nullptr);
}

void pad(int rank, const int64_t* shape, const int64_t* before, const int64_t* after, const void* x, void* out,
         int elem_bytes, const void* value) {
  int64_t out_shape[kMaxCopyRank], out_strides[kMaxCopyRank];
  for (int d = 0; d < rank; ++d) out_shape[d] = before[d] + shape[d] + after[d];
  row_major_strides(rank, out_shape, out_strides);
  char* o = static_cast<char*>(out);
  // The interior is x; the rest is, for each dimension d, the slabs before and after x along
  // d within x's extent on the dimensions outside d (so every padding element is filled once).
  std::vector<CopyBlock> blocks(1);
  CopyBlock& interior = blocks[0];
  interior.rank = rank;
  std::copy(shape, shape + rank, interior.shape);
  row_major_strides(rank, shape, interior.src_strides);
  std::copy(out_strides, out_strides + rank, interior.dst_strides);
  interior.src = x;
  interior.dst = o + dot(rank, before, out_strides) * elem_bytes;
  for (int d = 0; d < rank; ++d) {
    for (const bool is_before : {true, false}) {
      CopyBlock slab;
      slab.rank = rank;
      std::copy(out_strides, out_strides + rank, slab.dst_strides);
      int64_t corner[kMaxCopyRank] = {};
      for (int e = 0; e < rank; ++e) {
        slab.shape[e] = e < d ? shape[e] : e > d ? out_shape[e] : is_before ? before[d] : after[d];
        corner[e] = e < d ? before[e] : e > d ? 0 : is_before ? 0 : before[d] + shape[d];
      }
      slab.dst = o + dot(rank, corner, out_strides) * elem_bytes;
      blocks.push_back(slab);
    }
  }
  run_copy_blocks(blocks.data(), static_cast<int>(blocks.size()), elem_bytes, value);
}

void concat(const Parts& p, const void* const* parts, void* whole, int elem_bytes) {
  move_parts(p, const_cast<void* const*>(parts), whole, elem_bytes, true);
}

void split(const Parts& p, const void* whole, void* const* parts, int elem_bytes) {
  move_parts(p, parts, const_cast<void*>(whole), elem_bytes, false);
}

}  // namespace samlab
