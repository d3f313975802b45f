// unspin._unspin: the module definition and the mapping of Status to Python
// exceptions.
#include <pybind11/pybind11.h>

#include "binding.h"

namespace unspin::python {
namespace {

// Created once by BindErrors and never freed: the module lives as long as
// the interpreter.
py::handle& FormatErrorType() {
  static py::handle type;
  return type;
}

}  // namespace

void Raise(const Status& status) {
  const std::string message = status.ToString();
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kResourceExhausted:
      throw py::value_error(message);
    case StatusCode::kNotFound:
      PyErr_SetString(PyExc_FileNotFoundError, message.c_str());
      throw py::error_already_set();
    case StatusCode::kIOError:
      PyErr_SetString(PyExc_OSError, message.c_str());
      throw py::error_already_set();
    case StatusCode::kCorruption:
    case StatusCode::kVersionMismatch:
      PyErr_SetString(FormatErrorType().ptr(), message.c_str());
      throw py::error_already_set();
    case StatusCode::kDeadlineExceeded:
      PyErr_SetString(PyExc_TimeoutError, message.c_str());
      throw py::error_already_set();
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  throw std::runtime_error(message);
}

void BindErrors(py::module_& module) {
  FormatErrorType() = py::handle(
      PyErr_NewExceptionWithDoc("unspin.FormatError",
                                "A model or index file is damaged (a checksum or structure "
                                "check failed) or of another format version or model.",
                                PyExc_ValueError, nullptr));
  module.attr("FormatError") = FormatErrorType();
}

py::object ParseJson(const std::string& text) {
  static const py::handle loads = py::object(py::module_::import("json").attr("loads")).release();
  return loads(py::str(text));
}

std::string Utf8(const py::str& text) {
  Py_ssize_t size = 0;
  const char* bytes = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (bytes == nullptr) throw py::error_already_set();
  return std::string(bytes, static_cast<size_t>(size));
}

}  // namespace unspin::python

PYBIND11_MODULE(_unspin, module) {
  module.doc() = "unspin's engine (C++); import unspin, not this module";
  unspin::python::BindErrors(module);
  unspin::python::BindModel(module);
  unspin::python::BindIndex(module);
  unspin::python::BindScan(module);
}
