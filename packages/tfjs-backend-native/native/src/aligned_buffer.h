// A growable, 64-byte aligned float scratch buffer (one per thread for packing).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace samlab {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  ~AlignedBuffer() { std::free(data_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  // At least `count` floats; contents are unspecified after a grow.
  float* get(size_t count) {
    if (count > capacity_) {
      std::free(data_);
      size_t bytes = ((count * sizeof(float) + 63) / 64) * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (data_ == nullptr) throw std::bad_alloc();
      capacity_ = bytes / sizeof(float);
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace samlab
