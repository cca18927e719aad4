// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/DatasetPaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::DatasetPaths", text);
}

bool DatasetPaths::resolve(const QString &root, const QString &relativePath, PlannedImage *image, FileIssue *issue)
{
    const QString cleaned = QDir::cleanPath(QString(relativePath).replace(u'\\', u'/'));
    image->relativePath = cleaned;
    image->absolutePath = QDir(root).absoluteFilePath(cleaned);
    if (QDir::isAbsolutePath(cleaned) || cleaned == u".."_s || cleaned.startsWith(u"../"_s)) {
        *issue = {relativePath, u"outside_dataset"_s, tr("The path points outside the dataset folder.")};
        return false;
    }
    const QFileInfo info(image->absolutePath);
    if (!info.exists()) {
        *issue = {image->absolutePath, u"missing"_s, tr("The file does not exist.")};
        return false;
    }
    if (!info.isFile()) {
        *issue = {image->absolutePath, u"not_a_file"_s, tr("The path is not a file.")};
        return false;
    }
    return true;
}

QString DatasetPaths::readLicenceFile(const QString &root)
{
    const QFileInfoList candidates =
        QDir(root).entryInfoList({u"LICENSE*"_s, u"LICENCE*"_s, u"license*"_s, u"licence*"_s}, QDir::Files, QDir::Name);
    for (const QFileInfo &candidate : candidates) {
        QFile file(candidate.filePath());
        if (candidate.size() < 256 * 1024 && file.open(QIODevice::ReadOnly))
            return QString::fromUtf8(file.readAll()).trimmed();
    }
    return {};
}

QString DatasetPaths::normaliseSex(const QString &value)
{
    const QString v = value.trimmed().toLower();
    if (v == u"f"_s || v == u"female"_s)
        return u"female"_s;
    if (v == u"m"_s || v == u"male"_s)
        return u"male"_s;
    if (v.isEmpty() || v == u"unknown"_s || v == u"nan"_s)
        return {};
    return u"other"_s;
}

QString DatasetPaths::ageGroupForYears(int years)
{
    struct Bucket { int upTo; const char16_t *name; };
    static constexpr Bucket buckets[] = {{2, u"AGE_0_TO_2"},   {11, u"AGE_3_TO_11"},  {17, u"AGE_12_TO_17"},
                                         {29, u"AGE_18_TO_29"}, {39, u"AGE_30_TO_39"}, {49, u"AGE_40_TO_49"},
                                         {64, u"AGE_50_TO_64"}, {74, u"AGE_65_TO_74"}, {84, u"AGE_75_TO_84"}};
    if (years < 0)
        return u"AGE_UNKNOWN"_s;
    for (const Bucket &bucket : buckets) {
        if (years <= bucket.upTo)
            return QString::fromUtf16(bucket.name);
    }
    return u"AGE_85_PLUS"_s;
}

QString DatasetPaths::normaliseBoolean(const QString &value)
{
    const QString v = value.trimmed().toLower();
    if (v == u"true"_s || v == u"yes"_s || v == u"1"_s || v == u"1.0"_s)
        return u"yes"_s;
    if (v == u"false"_s || v == u"no"_s || v == u"0"_s || v == u"0.0"_s)
        return u"no"_s;
    return {};
}

QString DatasetPaths::normaliseScale(const QString &value, int low, int high)
{
    QString v = value.trimmed();
    if (v.startsWith(u"FST"_s, Qt::CaseInsensitive))
        v = v.mid(3);
    bool ok = false;
    const double number = v.toDouble(&ok);
    if (!ok || std::floor(number) != number || number < low || number > high)
        return {};
    return QString::number(int(number));
}

} // namespace dl
