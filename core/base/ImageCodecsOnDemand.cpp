// SPDX-License-Identifier: GPL-3.0-or-later
// OpenCV's image codecs, loaded when first used instead of when a program starts.
//
// Debian's libopencv_imgcodecs brings in GDAL, GDCM, OpenEXR, HEIF, Poppler and about 120 other
// libraries: three quarters of the time the dynamic loader spends starting dermlabel-cli, paid by
// every command (`--version` too) although most never decode an image. Core therefore does not link
// it: these definitions of the few codec functions the program calls (the declarations are
// OpenCV's) open the library on first use, once (thread-safe), and forward to its own functions,
// found by their symbol names (OpenCV 4 on the C++11 ABI of libstdc++; a library without them is
// an error message, thrown as OpenCV's own errors are). core/CMakeLists.txt names the library
// (DERMLABEL_IMGCODECS_LIBRARY, its soname).
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <dlfcn.h>

#include <string>

namespace {

struct Codecs
{
    void *handle = nullptr;
    std::string error;
};

const Codecs &codecs()
{
    static const Codecs loaded = [] {
        Codecs c;
        c.handle = dlopen(DERMLABEL_IMGCODECS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (!c.handle) {
            const char *message = dlerror();
            c.error = message ? message : "unknown error";
        }
        return c;
    }();
    return loaded;
}

template<typename Function>
Function resolve(const char *symbol)
{
    const Codecs &c = codecs();
    if (!c.handle)
        CV_Error(cv::Error::StsError, "cannot load OpenCV's image codecs (" DERMLABEL_IMGCODECS_LIBRARY "): " + c.error);
    void *address = dlsym(c.handle, symbol);
    if (!address)
        CV_Error(cv::Error::StsError, std::string("OpenCV's image codecs lack ") + symbol);
    return reinterpret_cast<Function>(address);
}

} // namespace

namespace cv {

Mat imdecode(InputArray buf, int flags)
{
    static const auto real = resolve<Mat (*)(InputArray, int)>("_ZN2cv8imdecodeERKNS_11_InputArrayEi");
    return real(buf, flags);
}

Mat imdecode(InputArray buf, int flags, Mat *dst)
{
    static const auto real = resolve<Mat (*)(InputArray, int, Mat *)>("_ZN2cv8imdecodeERKNS_11_InputArrayEiPNS_3MatE");
    return real(buf, flags, dst);
}

bool imencode(const String &ext, InputArray img, std::vector<uchar> &buf, const std::vector<int> &params)
{
    static const auto real = resolve<bool (*)(const String &, InputArray, std::vector<uchar> &,
                                              const std::vector<int> &)>(
        "_ZN2cv8imencodeERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayERSt6vectorIhSaIhEE"
        "RKSB_IiSaIiEE");
    return real(ext, img, buf, params);
}

Mat imread(const String &filename, int flags)
{
    static const auto real = resolve<Mat (*)(const String &, int)>(
        "_ZN2cv6imreadERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi");
    return real(filename, flags);
}

bool imwrite(const String &filename, InputArray img, const std::vector<int> &params)
{
    static const auto real = resolve<bool (*)(const String &, InputArray, const std::vector<int> &)>(
        "_ZN2cv7imwriteERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayERKSt6vectorIiSaIiEE");
    return real(filename, img, params);
}

} // namespace cv
