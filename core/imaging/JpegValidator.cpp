// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/JpegValidator.h"

#include "imaging/JpegEntropy.h"

#include <QCoreApplication>
#include <QtEndian>
#include <array>
#include <cstring>
#include <limits>
#include <vector>

namespace dl {

using namespace jpeg;

namespace {


struct Component
{
    int id = 0;
    int h = 1, v = 1;
    int quantTable = 0;
    int blocksWide = 0, blocksHigh = 0;
    std::vector<quint64> nonzero; // progressive only: which coefficients (zigzag k) are non-zero
};

// Any DCT coefficient of 8-bit samples is at most 1024 in magnitude; a quantised value with
// quantiser q can therefore not exceed (1024 + q/2) / q. The limit allows twice that.
constexpr int MaxCoefficient = 2048;

enum class ScanKind
{
    Sequential,
    DcFirst,
    DcRefine,
    AcFirst,
    AcRefine
};

struct Failure
{
    RejectReason reason = RejectReason::None;
    QString message;
};

class Validator
{
public:
    Validator(QByteArrayView data, int tolerance)
        : m_begin(reinterpret_cast<const uchar *>(data.data()))
        , m_end(m_begin + data.size())
        , m_tolerance(tolerance)
    { }

    JpegValidator::Result run();

private:
    bool fail(RejectReason reason, const QString &message)
    {
        if (m_failure.reason == RejectReason::None)
            m_failure = { reason, message };
        return false;
    }
    qint64 offset(const uchar *at) const { return qint64(at - m_begin); }
    quint16 be16(const uchar *at) const { return quint16((at[0] << 8) | at[1]); }

    bool parseFrame(const uchar *seg, int length, int marker);
    bool parseHuffman(const uchar *seg, int length);
    bool parseQuantization(const uchar *seg, int length);
    bool scan(const uchar *seg, int length, const uchar **next);
    bool skipEntropy(const uchar **next);
    bool checkExtraneous(qint64 extra, const uchar *at);
    bool earlyEnd(const BitReader &reader, qint64 done, qint64 total);

    const uchar *m_begin;
    const uchar *m_end;
    int m_tolerance;
    Failure m_failure;

    bool m_haveFrame = false;
    bool m_progressive = false;
    bool m_arithmetic = false;
    int m_width = 0, m_height = 0;
    int m_hmax = 1, m_vmax = 1;
    std::vector<Component> m_components;
    std::array<HuffTable, 4> m_dc;
    std::array<HuffTable, 4> m_ac;
    std::array<std::array<quint16, 64>, 4> m_quant {}; // zigzag order, as stored
    std::array<bool, 4> m_quantDefined {};
    int m_restartInterval = 0;
    int m_scans = 0;
    bool m_entropyChecked = true;
};

bool Validator::parseFrame(const uchar *seg, int length, int marker)
{
    if (m_haveFrame)
        return fail(RejectReason::Corrupt,
            QCoreApplication::translate("dl::JpegValidator", "JPEG file has more than one frame header"));
    m_haveFrame = true;
    if (!(marker == 0xC0 || marker == 0xC1 || marker == 0xC2 || marker == 0xC9 || marker == 0xCA))
        return fail(RejectReason::Unsupported,
            QCoreApplication::translate(
                "dl::JpegValidator", "lossless or hierarchical JPEG is not supported"));
    m_progressive = marker == 0xC2 || marker == 0xCA;
    m_arithmetic = marker == 0xC9 || marker == 0xCA;
    if (length < 6)
        return fail(RejectReason::Corrupt,
            QCoreApplication::translate("dl::JpegValidator", "JPEG frame header is too short"));
    if (seg[0] != 8)
        return fail(RejectReason::Unsupported,
            QCoreApplication::translate("dl::JpegValidator", "%1-bit JPEG is not supported")
                .arg(int(seg[0])));
    m_height = be16(seg + 1);
    m_width = be16(seg + 3);
    const int n = seg[5];
    if (m_width == 0 || m_height == 0) {
        return fail(RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::JpegValidator", "JPEG frame header gives an impossible image size (%1 x %2)")
                .arg(m_width)
                .arg(m_height));
    }
    if (n == 0 || n > 4 || length < 6 + 3 * n)
        return fail(RejectReason::Corrupt,
            QCoreApplication::translate("dl::JpegValidator", "JPEG frame header is damaged"));
    // Progressive files keep 8 bytes per block; refuse absurd sizes instead of allocating.
    if (qint64(m_width) * m_height > 400'000'000)
        return fail(RejectReason::TooLarge,
            QCoreApplication::translate("dl::JpegValidator", "JPEG image is too large to check"));
    m_components.resize(size_t(n));
    for (int i = 0; i < n; ++i) {
        Component &c = m_components[size_t(i)];
        c.id = seg[6 + 3 * i];
        c.h = seg[7 + 3 * i] >> 4;
        c.v = seg[7 + 3 * i] & 15;
        c.quantTable = seg[8 + 3 * i];
        if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::JpegValidator", "JPEG frame header has bad sampling factors"));
        m_hmax = std::max(m_hmax, c.h);
        m_vmax = std::max(m_vmax, c.v);
    }
    for (Component &c : m_components) {
        const qint64 w = (qint64(m_width) * c.h + m_hmax - 1) / m_hmax;
        const qint64 h = (qint64(m_height) * c.v + m_vmax - 1) / m_vmax;
        c.blocksWide = int((w + 7) / 8);
        c.blocksHigh = int((h + 7) / 8);
        if (m_progressive && !m_arithmetic)
            c.nonzero.assign(size_t(c.blocksWide) * size_t(c.blocksHigh), 0);
    }
    return true;
}

bool Validator::parseHuffman(const uchar *seg, int length)
{
    int pos = 0;
    while (pos < length) {
        if (length - pos < 17)
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate("dl::JpegValidator", "JPEG Huffman table is damaged"));
        const int tc = seg[pos] >> 4, th = seg[pos] & 15;
        int total = 0;
        for (int i = 0; i < 16; ++i)
            total += seg[pos + 1 + i];
        if (tc > 1 || th > 3 || total > 256 || length - pos - 17 < total)
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate("dl::JpegValidator", "JPEG Huffman table is damaged"));
        const uchar *symbols = seg + pos + 17;
        if (tc == 0) {
            for (int i = 0; i < total; ++i) {
                if (symbols[i] > 15)
                    return fail(RejectReason::Corrupt,
                        QCoreApplication::translate("dl::JpegValidator", "JPEG Huffman table is damaged"));
            }
        }
        HuffTable &table = tc == 0 ? m_dc[size_t(th)] : m_ac[size_t(th)];
        if (!buildTable(table, seg + pos + 1, symbols, total))
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate("dl::JpegValidator", "JPEG Huffman table is damaged"));
        pos += 17 + total;
    }
    return true;
}

bool Validator::parseQuantization(const uchar *seg, int length)
{
    int pos = 0;
    while (pos < length) {
        const int pq = seg[pos] >> 4, tq = seg[pos] & 15;
        const int size = 64 * (pq + 1);
        if (pq > 1 || tq > 3 || length - pos - 1 < size)
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate("dl::JpegValidator", "JPEG quantisation table is damaged"));
        for (int k = 0; k < 64; ++k) {
            const uchar *v = seg + pos + 1 + k * (pq + 1);
            m_quant[size_t(tq)][size_t(k)] = pq ? quint16((v[0] << 8) | v[1]) : v[0];
        }
        m_quantDefined[size_t(tq)] = true;
        pos += 1 + size;
    }
    return true;
}

bool Validator::checkExtraneous(qint64 extra, const uchar *at)
{
    if (extra > m_tolerance) {
        return fail(RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::JpegValidator", "JPEG image data is damaged: %1 unexpected bytes before byte %2")
                .arg(extra)
                .arg(offset(at)));
    }
    return true;
}

bool Validator::earlyEnd(const BitReader &reader, qint64 done, qint64 total)
{
    const uchar *q = reader.p;
    while (q < m_end && *q == 0xFF)
        ++q;
    if (q >= m_end) {
        return fail(RejectReason::Truncated,
            QCoreApplication::translate(
                "dl::JpegValidator", "JPEG data ends inside the image data (scan %1, %2 of %3 blocks)")
                .arg(m_scans)
                .arg(done)
                .arg(total));
    }
    if (*q == 0xD9) {
        return fail(RejectReason::Truncated,
            QCoreApplication::translate(
                "dl::JpegValidator", "JPEG image data ends early (scan %1, %2 of %3 blocks)")
                .arg(m_scans)
                .arg(done)
                .arg(total));
    }
    return fail(RejectReason::Corrupt,
        QCoreApplication::translate(
            "dl::JpegValidator", "JPEG image data is damaged: unexpected marker 0x%1 at byte %2 (scan %3)")
            .arg(int(*q), 2, 16, QLatin1Char('0'))
            .arg(offset(reader.p))
            .arg(m_scans));
}

// Entropy data we cannot walk: find the next marker that is not a restart marker.
bool Validator::skipEntropy(const uchar **next)
{
    m_entropyChecked = false;
    const uchar *p = *next;
    while (p < m_end) {
        if (*p == 0xFF && p + 1 < m_end) {
            const uchar m = p[1];
            if (m != 0x00 && m != 0xFF && !(m >= 0xD0 && m <= 0xD7)) {
                *next = p;
                return true;
            }
            if (m == 0xFF) {
                ++p;
                continue;
            }
            p += 2;
            continue;
        }
        ++p;
    }
    *next = m_end;
    return true;
}

bool Validator::scan(const uchar *seg, int length, const uchar **next)
{
    ++m_scans;
    if (!m_haveFrame)
        return fail(RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::JpegValidator", "JPEG image data starts before the frame header"));
    const int ns = length >= 1 ? seg[0] : 0;
    if (ns < 1 || ns > 4 || length != 4 + 2 * ns)
        return fail(RejectReason::Corrupt,
            QCoreApplication::translate("dl::JpegValidator", "JPEG scan header is damaged"));
    std::array<Component *, 4> comps {};
    std::array<int, 4> dcTable {}, acTable {};
    for (int i = 0; i < ns; ++i) {
        const int id = seg[1 + 2 * i];
        Component *found = nullptr;
        for (Component &c : m_components) {
            if (c.id == id)
                found = &c;
        }
        if (!found)
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::JpegValidator", "JPEG scan header names an unknown component"));
        comps[size_t(i)] = found;
        dcTable[size_t(i)] = seg[2 + 2 * i] >> 4;
        acTable[size_t(i)] = seg[2 + 2 * i] & 15;
        if (dcTable[size_t(i)] > 3 || acTable[size_t(i)] > 3)
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate("dl::JpegValidator", "JPEG scan header is damaged"));
    }
    const int ss = seg[1 + 2 * ns], se = seg[2 + 2 * ns];
    const int ah = seg[3 + 2 * ns] >> 4, al = seg[3 + 2 * ns] & 15;

    ScanKind kind = ScanKind::Sequential;
    if (m_progressive) {
        const bool dc = ss == 0;
        if ((dc && se != 0) || (!dc && (se < ss || se > 63 || ns != 1)) || ah > 13 || al > 13)
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::JpegValidator", "JPEG progressive scan parameters are invalid"));
        kind = dc ? (ah == 0 ? ScanKind::DcFirst : ScanKind::DcRefine)
                  : (ah == 0 ? ScanKind::AcFirst : ScanKind::AcRefine);
    }

    // Largest possible |coefficient| per scan component and zigzag position, in units of 2^Al.
    const int shift = kind == ScanKind::Sequential ? 0 : al;
    std::array<std::array<int, 64>, 4> limit {};
    for (int i = 0; i < ns; ++i) {
        const int tq = comps[size_t(i)]->quantTable;
        if (tq > 3 || !m_quantDefined[size_t(tq)]) {
            return fail(RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::JpegValidator", "JPEG scan uses an undefined quantisation table"));
        }
        for (size_t k = 0; k < 64; ++k) {
            const int q = m_quant[size_t(tq)][k];
            limit[size_t(i)][k]
                = q == 0 ? std::numeric_limits<int>::max() : int((MaxCoefficient + q / 2) / q) >> shift;
        }
    }

    *next = seg + length;
    if (m_arithmetic)
        return skipEntropy(next);
    const bool needDc = kind == ScanKind::Sequential || kind == ScanKind::DcFirst;
    const bool needAc
        = kind == ScanKind::Sequential || kind == ScanKind::AcFirst || kind == ScanKind::AcRefine;
    for (int i = 0; i < ns; ++i) {
        if ((needDc && !m_dc[size_t(dcTable[size_t(i)])].defined)
            || (needAc && !m_ac[size_t(acTable[size_t(i)])].defined))
            return skipEntropy(next); // libjpeg-turbo substitutes the standard tables here
    }

    qint64 mcus = 0;
    if (ns == 1) {
        mcus = qint64(comps[0]->blocksWide) * comps[0]->blocksHigh;
    } else {
        const qint64 mcusX = (qint64(m_width) + 8 * m_hmax - 1) / (8 * m_hmax);
        const qint64 mcusY = (qint64(m_height) + 8 * m_vmax - 1) / (8 * m_vmax);
        mcus = mcusX * mcusY;
    }

    BitReader reader;
    reader.end = m_end;
    reader.reset(*next);
    int eobrun = 0;
    int nextRestart = 0;
    const qint64 interval = m_restartInterval;
    std::array<int, 4> dcPredictor {};
    enum class Problem
    {
        None,
        BadCode,
        BadCoefficient,
        DcOutOfRange
    };
    Problem problem = Problem::None;

    // One block of the scan; nz is the block's coefficient mask (progressive AC scans only).
    // Beyond libjpeg (which silently clamps), values no 8-bit image can produce and runs that
    // push a coefficient past the end of the block or band are rejected: no encoder writes
    // them, decoded garbage often does. DC predictors stay in range the same way.
    const auto block = [&](int component, const HuffTable *dc, const HuffTable *ac, quint64 *nz) {
        const std::array<int, 64> &lim = limit[size_t(component)];
        int rs = 0, value = 0;
        switch (kind) {
        case ScanKind::Sequential:
        case ScanKind::DcFirst: {
            if (!reader.decodeValue(*dc, rs, value)) {
                problem = Problem::BadCode;
                return;
            }
            int &predictor = dcPredictor[size_t(component)];
            predictor += value;
            if (std::abs(predictor) > lim[0]) {
                problem = Problem::DcOutOfRange;
                return;
            }
            if (kind == ScanKind::DcFirst)
                return;
            for (int k = 1; k < 64;) {
                if (!reader.decodeValue(*ac, rs, value)) {
                    problem = Problem::BadCode;
                    return;
                }
                const int r = rs >> 4;
                if (rs & 15) {
                    k += r;
                    if (k > 63 || std::abs(value) > lim[size_t(k)]) {
                        problem = Problem::BadCoefficient;
                        return;
                    }
                    ++k;
                } else {
                    if (r != 15)
                        break;
                    k += 16;
                    if (k > 64) {
                        problem = Problem::BadCoefficient;
                        return;
                    }
                }
            }
            return;
        }
        case ScanKind::DcRefine:
            reader.get(1);
            return;
        case ScanKind::AcFirst: {
            if (eobrun > 0) {
                --eobrun;
                return;
            }
            for (int k = ss; k <= se; ++k) {
                if (!reader.decodeValue(*ac, rs, value)) {
                    problem = Problem::BadCode;
                    return;
                }
                const int r = rs >> 4;
                if (rs & 15) {
                    k += r;
                    if (k > se || std::abs(value) > lim[size_t(k)]) {
                        problem = Problem::BadCoefficient;
                        return;
                    }
                    *nz |= quint64(1) << k;
                } else if (r == 15) {
                    k += 15;
                    if (k > se) {
                        problem = Problem::BadCoefficient;
                        return;
                    }
                } else {
                    eobrun = (1 << r) + int(reader.get(r)) - 1;
                    break;
                }
            }
            return;
        }
        case ScanKind::AcRefine: {
            int k = ss;
            if (eobrun == 0) {
                for (; k <= se; ++k) {
                    if (!reader.decodeValue(*ac, rs, value)) {
                        problem = Problem::BadCode;
                        return;
                    }
                    int r = rs >> 4;
                    const int size = rs & 15;
                    if (size > 1) { // libjpeg warns "bad Huffman code" here
                        problem = Problem::BadCode;
                        return;
                    }
                    if (size == 0 && r != 15) {
                        eobrun = (1 << r) + int(reader.get(r));
                        break;
                    }
                    bool reached = false;
                    do {
                        if (*nz & (quint64(1) << k)) {
                            reader.get(1); // correction bit
                        } else if (--r < 0) {
                            reached = true;
                            break;
                        }
                        ++k;
                    } while (k <= se);
                    if (!reached) {
                        problem = Problem::BadCoefficient;
                        return;
                    }
                    if (size)
                        *nz |= quint64(1) << k;
                }
            }
            if (eobrun > 0) {
                for (; k <= se; ++k) {
                    if (*nz & (quint64(1) << k))
                        reader.get(1);
                }
                --eobrun;
            }
            return;
        }
        }
    };

    const qint64 blocksPerMcu = [&] {
        if (ns == 1)
            return qint64(1);
        qint64 n = 0;
        for (int i = 0; i < ns; ++i)
            n += qint64(comps[size_t(i)]->h) * comps[size_t(i)]->v;
        return n;
    }();
    const qint64 totalBlocks = mcus * blocksPerMcu;

    qint64 mcu = 0;
    for (; mcu < mcus && problem == Problem::None; ++mcu) {
        if (interval > 0 && mcu > 0 && mcu % interval == 0) {
            if (reader.insufficient())
                return earlyEnd(reader, mcu * blocksPerMcu, totalBlocks);
            if (!checkExtraneous(reader.finishSegment(), reader.p))
                return false;
            const uchar *q = reader.p;
            while (q < m_end && *q == 0xFF)
                ++q;
            if (q >= m_end)
                return earlyEnd(reader, mcu * blocksPerMcu, totalBlocks);
            if (*q != 0xD0 + nextRestart) {
                if (*q >= 0xD0 && *q <= 0xD7) {
                    return fail(RejectReason::Corrupt,
                        QCoreApplication::translate("dl::JpegValidator",
                            "JPEG image data is damaged: restart marker out of "
                            "sequence at byte %1")
                            .arg(offset(reader.p)));
                }
                return earlyEnd(reader, mcu * blocksPerMcu, totalBlocks);
            }
            nextRestart = (nextRestart + 1) & 7;
            reader.reset(q + 1);
            eobrun = 0;
            dcPredictor.fill(0);
        }
        if (ns == 1) {
            quint64 *nz = comps[0]->nonzero.empty() ? nullptr : &comps[0]->nonzero[size_t(mcu)];
            block(0, &m_dc[size_t(dcTable[0])], &m_ac[size_t(acTable[0])], nz);
        } else {
            for (int i = 0; i < ns && problem == Problem::None; ++i) {
                const Component *c = comps[size_t(i)];
                const HuffTable *dc = &m_dc[size_t(dcTable[size_t(i)])];
                const HuffTable *ac = &m_ac[size_t(acTable[size_t(i)])];
                for (int b = 0; b < c->h * c->v && problem == Problem::None; ++b)
                    block(i, dc, ac, nullptr);
            }
        }
        if (reader.insufficient())
            return earlyEnd(reader, mcu * blocksPerMcu, totalBlocks);
    }

    if (problem != Problem::None) {
        if (reader.insufficient())
            return earlyEnd(reader, mcu * blocksPerMcu, totalBlocks);
        QString what;
        switch (problem) {
        case Problem::BadCode:
            what = QCoreApplication::translate("dl::JpegValidator", "invalid Huffman code");
            break;
        case Problem::BadCoefficient:
            what = QCoreApplication::translate("dl::JpegValidator", "impossible coefficient");
            break;
        case Problem::DcOutOfRange:
            what = QCoreApplication::translate("dl::JpegValidator", "impossible DC value");
            break;
        case Problem::None:
            break;
        }
        return fail(RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::JpegValidator", "JPEG image data is damaged: %1 near byte %2 (scan %3)")
                .arg(what)
                .arg(offset(reader.p))
                .arg(m_scans));
    }
    if (!checkExtraneous(reader.finishSegment(), reader.p))
        return false;
    *next = reader.p;
    return true;
}

JpegValidator::Result Validator::run()
{
    JpegValidator::Result result;
    const qint64 size = offset(m_end);
    if (size < 4 || m_begin[0] != 0xFF || m_begin[1] != 0xD8) {
        result.reject = size == 0 ? RejectReason::Empty : RejectReason::NotAnImage;
        result.message = QCoreApplication::translate("dl::JpegValidator", "The data is not a JPEG image");
        return result;
    }
    const uchar *p = m_begin + 2;
    bool ok = true;
    bool done = false;
    while (ok && !done) {
        // Stray bytes between segments (libjpeg skips them with a warning).
        qint64 stray = 0;
        while (p < m_end && *p != 0xFF) {
            if (*p != 0)
                ++stray;
            ++p;
        }
        if (stray > 0 && !checkExtraneous(stray, p)) {
            ok = false;
            break;
        }
        while (p < m_end && *p == 0xFF)
            ++p;
        if (p >= m_end) {
            ok = fail(RejectReason::Truncated,
                m_scans > 0
                    ? QCoreApplication::translate(
                        "dl::JpegValidator", "JPEG data ends before the end-of-image marker")
                    : QCoreApplication::translate("dl::JpegValidator", "JPEG data ends inside its header"));
            break;
        }
        const int marker = *p++;
        if (marker == 0xD9) {
            if (m_scans == 0)
                ok = fail(RejectReason::Corrupt,
                    QCoreApplication::translate("dl::JpegValidator", "JPEG file ends before any image data"));
            done = true;
            break;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue;
        if (marker == 0x00 || marker == 0xD8) {
            ok = fail(RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::JpegValidator", "JPEG data is damaged: unexpected marker 0x%1 at byte %2")
                    .arg(marker, 2, 16, QLatin1Char('0'))
                    .arg(offset(p) - 1));
            break;
        }
        if (m_end - p < 2) {
            ok = fail(RejectReason::Truncated,
                QCoreApplication::translate("dl::JpegValidator", "JPEG data ends inside its header"));
            break;
        }
        const int length = be16(p);
        if (length < 2) {
            ok = fail(RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::JpegValidator", "JPEG data is damaged: bad segment length at byte %1")
                    .arg(offset(p)));
            break;
        }
        if (m_end - p < length) {
            ok = fail(RejectReason::Truncated,
                QCoreApplication::translate("dl::JpegValidator", "JPEG data ends inside a marker segment"));
            break;
        }
        const uchar *seg = p + 2;
        const int segLength = length - 2;
        p += length;
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            ok = parseFrame(seg, segLength, marker);
        } else if (marker == 0xC4) {
            ok = parseHuffman(seg, segLength);
        } else if (marker == 0xDB) {
            ok = parseQuantization(seg, segLength);
        } else if (marker == 0xDD) {
            if (segLength < 2)
                ok = fail(RejectReason::Corrupt,
                    QCoreApplication::translate(
                        "dl::JpegValidator", "JPEG restart interval segment is damaged"));
            else
                m_restartInterval = be16(seg);
        } else if (marker == 0xDA) {
            ok = scan(seg, segLength, &p);
        }
    }
    result.scans = m_scans;
    result.entropyChecked = m_entropyChecked && !m_arithmetic && m_scans > 0;
    if (!ok) {
        result.reject = m_failure.reason;
        result.message = m_failure.message;
    }
    return result;
}

} // namespace

JpegValidator::Result JpegValidator::validate(QByteArrayView data, int extraneousTolerance)
{
    Validator validator(data, extraneousTolerance);
    return validator.run();
}

} // namespace dl
