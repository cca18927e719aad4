// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/IccProfile.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QPair>

#include <array>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::IccProfile", text);
}

constexpr qsizetype HeaderSize = 128;
constexpr qsizetype TagEntrySize = 12;
constexpr quint32 MaxTags = 1000;

quint32 be16(const char *p)
{
    return (quint32(uchar(p[0])) << 8) | quint32(uchar(p[1]));
}

quint32 be32(const char *p)
{
    return (quint32(uchar(p[0])) << 24) | (quint32(uchar(p[1])) << 16) | (quint32(uchar(p[2])) << 8)
        | quint32(uchar(p[3]));
}

void putBe32(QByteArray &b, qsizetype at, quint32 v)
{
    b[at] = char((v >> 24) & 0xFF);
    b[at + 1] = char((v >> 16) & 0xFF);
    b[at + 2] = char((v >> 8) & 0xFF);
    b[at + 3] = char(v & 0xFF);
}

void appendBe32(QByteArray &b, quint32 v)
{
    b.append(char((v >> 24) & 0xFF));
    b.append(char((v >> 16) & 0xFF));
    b.append(char((v >> 8) & 0xFF));
    b.append(char(v & 0xFF));
}

constexpr quint32 sig(const char (&s)[5])
{
    return (quint32(uchar(s[0])) << 24) | (quint32(uchar(s[1])) << 16) | (quint32(uchar(s[2])) << 8)
        | quint32(uchar(s[3]));
}

// A signature as text for messages: printable ASCII as is, else hex.
QString sigName(quint32 s)
{
    QString name;
    for (int shift = 24; shift >= 0; shift -= 8) {
        const uchar c = uchar((s >> shift) & 0xFF);
        if (c < 0x20 || c >= 0x7F)
            return u"0x"_s + QString::number(s, 16).rightJustified(8, u'0');
        name.append(QLatin1Char(char(c)));
    }
    return u'\'' + name + u'\'';
}

enum class TagKind
{
    Xyz, // one XYZNumber
    Curve, // curv or para
    Matrix, // sf32, 9 values
    Chromaticity,
    Lut, // mft1, mft2, mAB, mBA
    MultiProcess, // mpet
    Cicp
};

struct KeptTag
{
    quint32 signature;
    TagKind kind;
};

// The tags that define the colour transform (see the header).
constexpr std::array<KeptTag, 27> KeptTags { {
    { sig("wtpt"), TagKind::Xyz },
    { sig("bkpt"), TagKind::Xyz },
    { sig("lumi"), TagKind::Xyz },
    { sig("rXYZ"), TagKind::Xyz },
    { sig("gXYZ"), TagKind::Xyz },
    { sig("bXYZ"), TagKind::Xyz },
    { sig("rTRC"), TagKind::Curve },
    { sig("gTRC"), TagKind::Curve },
    { sig("bTRC"), TagKind::Curve },
    { sig("kTRC"), TagKind::Curve },
    { sig("chad"), TagKind::Matrix },
    { sig("chrm"), TagKind::Chromaticity },
    { sig("A2B0"), TagKind::Lut },
    { sig("A2B1"), TagKind::Lut },
    { sig("A2B2"), TagKind::Lut },
    { sig("B2A0"), TagKind::Lut },
    { sig("B2A1"), TagKind::Lut },
    { sig("B2A2"), TagKind::Lut },
    { sig("D2B0"), TagKind::MultiProcess },
    { sig("D2B1"), TagKind::MultiProcess },
    { sig("D2B2"), TagKind::MultiProcess },
    { sig("D2B3"), TagKind::MultiProcess },
    { sig("B2D0"), TagKind::MultiProcess },
    { sig("B2D1"), TagKind::MultiProcess },
    { sig("B2D2"), TagKind::MultiProcess },
    { sig("B2D3"), TagKind::MultiProcess },
    { sig("cicp"), TagKind::Cicp },
} };

const KeptTag *keptTag(quint32 signature)
{
    for (const KeptTag &t : KeptTags) {
        if (t.signature == signature)
            return &t;
    }
    return nullptr;
}

// The tag's data as written: its defined length (slack dropped), reserved bytes zeroed; or an
// error when its type does not fit the tag.
std::optional<QByteArray> tagData(quint32 signature, TagKind kind, QByteArrayView data, QString *reason)
{
    const quint32 type = be32(data.data());
    auto wrongType = [&] {
        *reason = tr("tag %1 has the type %2").arg(sigName(signature), sigName(type));
        return std::nullopt;
    };
    auto tooShort = [&] {
        *reason = tr("tag %1 (%2) is too short").arg(sigName(signature), sigName(type));
        return std::nullopt;
    };
    qsizetype length = data.size();
    switch (kind) {
    case TagKind::Xyz:
        if (type != sig("XYZ "))
            return wrongType();
        length = 20;
        break;
    case TagKind::Curve:
        if (type == sig("curv")) {
            if (data.size() < 12)
                return tooShort();
            length = 12 + 2 * qsizetype(be32(data.data() + 8));
        } else if (type == sig("para")) {
            if (data.size() < 12)
                return tooShort();
            static constexpr std::array<int, 5> parameters { 1, 3, 4, 5, 7 };
            const quint32 function = be16(data.data() + 8);
            if (function >= parameters.size()) {
                *reason = tr("tag %1 has the unknown parametric curve type %2").arg(sigName(signature)).arg(function);
                return std::nullopt;
            }
            length = 12 + 4 * parameters[function];
        } else {
            return wrongType();
        }
        break;
    case TagKind::Matrix:
        if (type != sig("sf32"))
            return wrongType();
        length = 8 + 9 * 4;
        break;
    case TagKind::Chromaticity:
        if (type != sig("chrm"))
            return wrongType();
        if (data.size() < 12)
            return tooShort();
        length = 12 + 8 * qsizetype(be16(data.data() + 8));
        break;
    case TagKind::Lut:
        if (type != sig("mft1") && type != sig("mft2") && type != sig("mAB ") && type != sig("mBA "))
            return wrongType();
        break;
    case TagKind::MultiProcess:
        if (type != sig("mpet"))
            return wrongType();
        break;
    case TagKind::Cicp:
        if (type != sig("cicp"))
            return wrongType();
        length = 12;
        break;
    }
    if (length > data.size())
        return tooShort();
    QByteArray out = data.first(length).toByteArray();
    putBe32(out, 4, 0); // reserved
    return out;
}

void appendPadding(QByteArray &b)
{
    while (b.size() % 4 != 0)
        b.append('\0');
}

// textDescriptionType (version 2): ASCII, an empty Unicode and an empty ScriptCode description.
QByteArray descriptionV2(const QByteArray &text)
{
    QByteArray b("desc\0\0\0\0"_ba);
    appendBe32(b, quint32(text.size() + 1));
    b.append(text);
    b.append('\0');
    appendBe32(b, 0); // Unicode language code
    appendBe32(b, 0); // Unicode count
    b.append(2, '\0'); // ScriptCode code
    b.append('\0'); // ScriptCode count
    b.append(67, '\0'); // Macintosh description
    return b;
}

QByteArray textV2(const QByteArray &text)
{
    return "text\0\0\0\0"_ba + text + '\0';
}

// multiLocalizedUnicodeType (version 4): one en-US record.
QByteArray mluc(const QString &text)
{
    QByteArray utf16;
    for (QChar c : text) {
        utf16.append(char(c.unicode() >> 8));
        utf16.append(char(c.unicode() & 0xFF));
    }
    QByteArray b("mluc\0\0\0\0"_ba);
    appendBe32(b, 1); // records
    appendBe32(b, 12); // record size
    b.append("enUS"_ba);
    appendBe32(b, quint32(utf16.size()));
    appendBe32(b, 28); // offset from the start of the tag
    b.append(utf16);
    return b;
}

} // namespace

std::optional<QByteArray> IccProfile::sanitize(QByteArrayView profile, QString *reason)
{
    QString ignored;
    QString &why = reason ? *reason : ignored;
    auto refuse = [&](const QString &message) -> std::optional<QByteArray> {
        why = tr("Malformed ICC profile: %1.").arg(message);
        return std::nullopt;
    };
    if (profile.size() < HeaderSize + 4)
        return refuse(tr("%1 bytes, shorter than a header and a tag count").arg(profile.size()));
    if (profile.size() > MaxSize)
        return refuse(tr("%1 bytes, more than the %2 accepted").arg(profile.size()).arg(MaxSize));
    const char *p = profile.data();
    const quint32 declared = be32(p);
    if (declared < quint32(HeaderSize + 4) || declared > quint32(profile.size()))
        return refuse(tr("the header gives the size %1, the data has %2 bytes").arg(declared).arg(profile.size()));
    if (be32(p + 36) != sig("acsp"))
        return refuse(tr("no 'acsp' signature"));
    const int major = uchar(p[8]);
    if (major != 2 && major != 4)
        return refuse(tr("version %1 is not supported (2 and 4 are)").arg(major));
    const quint32 deviceClass = be32(p + 12);
    if (deviceClass != sig("scnr") && deviceClass != sig("mntr") && deviceClass != sig("prtr")
        && deviceClass != sig("spac"))
        return refuse(tr("the profile class %1 cannot describe an image").arg(sigName(deviceClass)));
    if (be32(p + 64) > 3)
        return refuse(tr("unknown rendering intent %1").arg(be32(p + 64)));

    const qsizetype size = declared;
    const quint32 count = be32(p + HeaderSize);
    if (count > MaxTags || HeaderSize + 4 + qsizetype(count) * TagEntrySize > size)
        return refuse(tr("a tag table of %1 entries does not fit").arg(count));
    const qsizetype dataStart = HeaderSize + 4 + qsizetype(count) * TagEntrySize;

    struct Entry
    {
        quint32 signature;
        QByteArray data;
        qsizetype shareKey; // index of the first entry with the same offset and size
    };
    QList<Entry> entries;
    QList<quint32> seen;
    QHash<QPair<quint32, quint32>, qsizetype> shared;
    for (quint32 i = 0; i < count; ++i) {
        const char *e = p + HeaderSize + 4 + qsizetype(i) * TagEntrySize;
        const quint32 signature = be32(e), offset = be32(e + 4), length = be32(e + 8);
        if (seen.contains(signature))
            return refuse(tr("tag %1 appears twice").arg(sigName(signature)));
        seen.append(signature);
        if (offset < quint32(dataStart) || length < 8 || qint64(offset) + qint64(length) > qint64(size))
            return refuse(tr("tag %1 (offset %2, size %3) is outside the profile's %4 bytes of tag data")
                              .arg(sigName(signature))
                              .arg(offset)
                              .arg(length)
                              .arg(size));
        const KeptTag *kept = keptTag(signature);
        if (!kept)
            continue;
        QString message;
        const auto data = tagData(signature, kept->kind, profile.sliced(offset, length), &message);
        if (!data)
            return refuse(message);
        const auto key = qMakePair(offset, length);
        const auto found = shared.constFind(key);
        if (found != shared.cend() && entries.at(*found).data == *data) {
            entries.append({ signature, {}, *found });
        } else {
            shared.insert(key, entries.size());
            entries.append({ signature, *data, entries.size() });
        }
    }
    if (entries.isEmpty())
        return refuse(tr("no tag that defines colours"));

    // The neutral strings.
    const QByteArray description = "Colour profile"_ba, copyright = "No copyright information"_ba;
    entries.append({ sig("desc"),
        major == 2 ? descriptionV2(description) : mluc(QString::fromLatin1(description)), entries.size() });
    entries.append(
        { sig("cprt"), major == 2 ? textV2(copyright) : mluc(QString::fromLatin1(copyright)), entries.size() });

    // Header: only what rendering needs.
    QByteArray out(HeaderSize, '\0');
    out.replace(8, 4, profile.sliced(8, 4)); // version
    out.replace(12, 4, profile.sliced(12, 4)); // device class
    out.replace(16, 4, profile.sliced(16, 4)); // colour space
    out.replace(20, 4, profile.sliced(20, 4)); // PCS
    out.replace(36, 4, profile.sliced(36, 4)); // 'acsp'
    putBe32(out, 44, be32(p + 44) & 0xFFFFu); // embedded / dependent; vendor bits cleared
    out.replace(64, 4, profile.sliced(64, 4)); // rendering intent
    out.replace(68, 12, profile.sliced(68, 12)); // PCS illuminant
    appendBe32(out, quint32(entries.size()));
    const qsizetype tableAt = out.size();
    out.append(QByteArray(entries.size() * TagEntrySize, '\0'));
    QList<QPair<quint32, quint32>> placed(entries.size());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const Entry &entry = entries.at(i);
        if (entry.shareKey != i) {
            placed[i] = placed.at(entry.shareKey);
        } else {
            appendPadding(out);
            placed[i] = qMakePair(quint32(out.size()), quint32(entry.data.size()));
            out.append(entry.data);
        }
        putBe32(out, tableAt + i * TagEntrySize, entry.signature);
        putBe32(out, tableAt + i * TagEntrySize + 4, placed.at(i).first);
        putBe32(out, tableAt + i * TagEntrySize + 8, placed.at(i).second);
    }
    appendPadding(out);
    putBe32(out, 0, quint32(out.size()));
    return out;
}

} // namespace dl
