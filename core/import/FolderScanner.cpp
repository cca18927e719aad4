// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/FolderScanner.h"

#include "imaging/ImageFormat.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

bool FolderScanner::isUnsupportedImageSuffix(QStringView suffix)
{
    static const QStringList unsupported {u"gif"_s,  u"heic"_s, u"heif"_s, u"avif"_s, u"ico"_s, u"psd"_s,
                                          u"jp2"_s,  u"j2k"_s,  u"dng"_s,  u"cr2"_s,  u"nef"_s, u"arw"_s,
                                          u"raw"_s,  u"svg"_s,  u"jxl"_s,  u"dcm"_s,  u"ppm"_s, u"pgm"_s};
    for (const QString &s : unsupported) {
        if (suffix.compare(s, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

FolderScanner::Result FolderScanner::scan(const QString &root, const std::atomic_bool *cancel)
{
    Result result;
    const QDir rootDir(QFileInfo(root).canonicalFilePath());
    QSet<QString> visited;
    QStringList pending {QFileInfo(root).canonicalFilePath()};
    while (!pending.isEmpty()) {
        if (cancel && cancel->load())
            break;
        const QString dirPath = pending.takeLast();
        if (dirPath.isEmpty() || visited.contains(dirPath))
            continue;
        visited.insert(dirPath);
        const QDir dir(dirPath);
        if (!dir.isReadable()) {
            result.unreadable.append({dirPath, u"unreadable"_s,
                                      QCoreApplication::translate("dl::FolderScanner", "The folder cannot be read.")});
            continue;
        }
        const QFileInfoList entries = dir.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo &entry : entries) {
            if (entry.isDir()) {
                const QString canonical = entry.canonicalFilePath();
                if (!canonical.isEmpty() && !visited.contains(canonical))
                    pending.append(canonical);
                continue;
            }
            if (!entry.exists())
                continue; // dangling link
            // Paths are reported as found under the root (through links), not resolved.
            const QString relative = rootDir.relativeFilePath(dir.filePath(entry.fileName()));
            const QString absolute = rootDir.absoluteFilePath(relative);
            const QString suffix = entry.suffix();
            if (isImageFileSuffix(suffix)) {
                result.images.append({relative, absolute, 0, {}});
            } else if (isUnsupportedImageSuffix(suffix)) {
                result.rejected.append({absolute, u"unsupported"_s,
                                        QCoreApplication::translate("dl::FolderScanner",
                                                                    "%1 images are not supported.")
                                            .arg(suffix.toUpper())});
            } else {
                ++result.ignored;
            }
        }
    }
    std::sort(result.images.begin(), result.images.end(),
              [](const PlannedImage &a, const PlannedImage &b) { return a.relativePath < b.relativePath; });
    // The same file reached twice through links is read once.
    QSet<QString> seen;
    QList<PlannedImage> unique;
    for (const PlannedImage &image : std::as_const(result.images)) {
        const QString canonical = QFileInfo(image.absolutePath).canonicalFilePath();
        if (seen.contains(canonical))
            continue;
        seen.insert(canonical);
        unique.append(image);
    }
    result.images = unique;
    return result;
}

} // namespace dl
