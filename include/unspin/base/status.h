// Status and Result<T>: how every fallible unspin call reports failure.
//
// The library never throws. A call that can fail returns Status (no value) or
// Result<T> (a value or a Status), shaped like std::expected:
//
//   Result<MappedFile> file = MappedFile::Open(path);
//   if (!file.ok()) return file.status();
//   UNSPIN_ASSIGN_OR_RETURN(auto model, Model::Open(path));
//
// Messages name the file or byte offset and, where there is one, the fix.
#ifndef UNSPIN_BASE_STATUS_H_
#define UNSPIN_BASE_STATUS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "unspin/base/check.h"

namespace unspin {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kIOError,
  kCorruption,
  kVersionMismatch,
  kResourceExhausted,
  kInternal,
  kDeadlineExceeded,  // the work stopped at its deadline, unfinished
};

// Stable lower-case name of a code ("invalid argument", "corruption", ...).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corruption: model.bin: bad CRC in section 3" style text for people.
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` and ": ".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status IOError(std::string message);
Status CorruptionError(std::string message);
Status VersionMismatchError(std::string message);
Status ResourceExhaustedError(std::string message);
Status InternalError(std::string message);
Status DeadlineExceededError(std::string message);
// IOError whose message ends with strerror(errno_value).
Status ErrnoError(std::string_view what, int errno_value);

// A value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    UNSPIN_CHECK(!std::get<1>(data_).ok());
  }

  bool ok() const { return data_.index() == 0; }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status() : std::get<1>(data_); }

  T& value() & {
    UNSPIN_CHECK(ok());
    return std::get<0>(data_);
  }
  const T& value() const& {
    UNSPIN_CHECK(ok());
    return std::get<0>(data_);
  }
  T&& value() && {
    UNSPIN_CHECK(ok());
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace unspin

#define UNSPIN_STATUS_CONCAT_INNER_(a, b) a##b
#define UNSPIN_STATUS_CONCAT_(a, b) UNSPIN_STATUS_CONCAT_INNER_(a, b)

#define UNSPIN_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::unspin::Status unspin_status_ = (expr);        \
    if (!unspin_status_.ok()) return unspin_status_; \
  } while (false)

#define UNSPIN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#define UNSPIN_ASSIGN_OR_RETURN(lhs, expr) \
  UNSPIN_ASSIGN_OR_RETURN_IMPL_(UNSPIN_STATUS_CONCAT_(unspin_result_, __LINE__), lhs, expr)

#endif  // UNSPIN_BASE_STATUS_H_
