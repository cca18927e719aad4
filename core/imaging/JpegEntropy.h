// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to core/imaging: Huffman tables and the entropy-coded bit reader
// that JpegValidator walks a JPEG's scans with, without decoding pixels.

#include <QtEndian>
#include <QtGlobal>

#include <array>
#include <cstring>
#include <vector>

namespace dl::jpeg {

constexpr int FastBits = 10;

inline int extend(quint32 bits, int size)
{
    int v = int(bits);
    if (size > 0 && v < (1 << (size - 1)))
        v -= (1 << size) - 1;
    return v;
}

// Canonical Huffman table with a lookahead fast path. `fast` resolves codes of up to FastBits
// bits; `fastValue` also resolves the magnitude bits that follow when both fit.
struct HuffTable
{
    struct ValueEntry
    {
        quint8 length = 0; // code + magnitude bits; 0 = use the slow path
        quint8 runSize = 0;
        qint16 value = 0;
    };
    bool defined = false;
    std::array<quint16, 1 << FastBits> fast {}; // (length << 8) | symbol, 0 when longer
    std::array<ValueEntry, 1 << FastBits> fastValue {};
    std::array<qint32, 18> maxCode {}; // largest code of each length, -1 when none
    std::array<qint32, 17> valueOffset {};
    std::array<quint8, 256> values {};
};

inline bool buildTable(HuffTable &t, const uchar *counts, const uchar *symbols, int total)
{
    t = HuffTable();
    t.maxCode.fill(-1);
    std::memcpy(t.values.data(), symbols, size_t(total));
    int code = 0;
    int k = 0;
    for (int length = 1; length <= 16; ++length) {
        const int n = counts[length - 1];
        if (n > 0) {
            t.valueOffset[size_t(length)] = k - code;
            for (int i = 0; i < n; ++i, ++k, ++code) {
                // As libjpeg: the codes must fit and the all-ones code is reserved.
                if (code + 1 >= (1 << length))
                    return false;
                if (length <= FastBits) {
                    const int shift = FastBits - length;
                    const int first = code << shift;
                    for (int j = 0; j < (1 << shift); ++j)
                        t.fast[size_t(first + j)] = quint16((length << 8) | t.values[size_t(k)]);
                }
            }
            t.maxCode[size_t(length)] = code - 1;
        }
        code <<= 1;
    }
    for (int i = 0; i < (1 << FastBits); ++i) {
        const quint16 e = t.fast[size_t(i)];
        if (e == 0)
            continue;
        const int length = e >> 8, runSize = e & 0xFF, size = runSize & 15;
        if (length + size > FastBits)
            continue;
        const quint32 magnitude = (quint32(i) >> (FastBits - length - size)) & ((1u << size) - 1u);
        t.fastValue[size_t(i)]
            = { quint8(length + size), quint8(runSize), qint16(size ? extend(magnitude, size) : 0) };
    }
    t.defined = true;
    return true;
}

// Bit reader over entropy-coded data. Handles FF 00 stuffing, stops at markers and then
// supplies zero bits like libjpeg; consuming any of those means the data ended too early.
struct BitReader
{
    const uchar *p = nullptr;
    const uchar *end = nullptr;
    quint64 acc = 0;
    int bits = 0; // buffered bits, the low `fake` of them invented after a marker
    int fake = 0;
    bool atMarker = false;

    void reset(const uchar *at)
    {
        p = at;
        acc = 0;
        bits = 0;
        fake = 0;
        atMarker = false;
    }

    // Fake bits are always the most recent ones, so once consumption reaches them this stays
    // true (fill() adds to both counts).
    bool insufficient() const { return bits < fake; }

    Q_NEVER_INLINE void fill()
    {
        // Fast path: the next 8 bytes hold no FF, so whole bytes can be taken at once.
        if (!atMarker && end - p >= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);
            const quint64 inverted = ~word;
            if (((inverted - 0x0101010101010101ull) & ~inverted & 0x8080808080808080ull) == 0) {
                const int n = (63 - bits) >> 3;
                acc = (acc << (8 * n)) | (qFromBigEndian(word) >> (64 - 8 * n));
                bits += 8 * n;
                p += n;
                return;
            }
        }
        while (bits <= 56) {
            if (!atMarker && p < end) {
                uint c = *p;
                if (c == 0xFF) {
                    const uchar *q = p + 1;
                    while (q < end && *q == 0xFF)
                        ++q;
                    if (q < end && *q == 0x00) {
                        p = q + 1; // stuffed FF data byte
                    } else {
                        atMarker = true; // a marker (or the end of the data) starts at p
                        continue;
                    }
                } else {
                    ++p;
                }
                acc = (acc << 8) | c;
                bits += 8;
            } else {
                acc <<= 8;
                bits += 8;
                fake += 8;
            }
        }
    }

    Q_ALWAYS_INLINE void ensure(int n)
    {
        if (bits < n)
            fill();
    }

    quint32 peek(int n) const { return quint32(acc >> (bits - n)) & ((1u << n) - 1u); }
    void consume(int n) { bits -= n; }

    quint32 get(int n)
    {
        if (n == 0)
            return 0;
        ensure(n);
        const quint32 v = peek(n);
        consume(n);
        return v;
    }

    // Decodes one symbol and its magnitude bits: runSize is the symbol, value the extended
    // magnitude (0 when the size is 0). False for a code the table does not contain.
    Q_ALWAYS_INLINE bool decodeValue(const HuffTable &t, int &runSize, int &value)
    {
        ensure(32);
        const HuffTable::ValueEntry &e = t.fastValue[peek(FastBits)];
        if (Q_LIKELY(e.length != 0)) {
            consume(e.length);
            runSize = e.runSize;
            value = e.value;
            return true;
        }
        return decodeSlow(t, runSize, value);
    }

    Q_NEVER_INLINE bool decodeSlow(const HuffTable &t, int &runSize, int &value)
    {
        const quint16 f = t.fast[peek(FastBits)];
        int symbol = -1;
        if (f != 0) {
            consume(f >> 8);
            symbol = f & 0xFF;
        } else {
            const quint32 window = peek(16);
            for (int length = FastBits + 1; length <= 16; ++length) {
                const qint32 code = qint32(window >> (16 - length));
                if (code <= t.maxCode[size_t(length)]) {
                    consume(length);
                    symbol = t.values[size_t(t.valueOffset[size_t(length)] + code)];
                    break;
                }
            }
            if (symbol < 0)
                return false;
        }
        const int size = symbol & 15;
        runSize = symbol;
        value = size ? extend(peek(size), size) : 0;
        consume(size);
        return true;
    }

    // After the last block of a restart interval or scan: counts the non-zero whole bytes left
    // over before the next marker (zero padding is harmless) and leaves p at that marker's
    // first FF (or at the end).
    qint64 finishSegment()
    {
        qint64 extra = 0;
        const int unusedBytes = std::max(0, bits - fake) / 8;
        for (int i = 0; i < unusedBytes; ++i) {
            if (((acc >> (fake + 8 * i)) & 0xFF) != 0)
                ++extra;
        }
        while (!atMarker && p < end) {
            if (*p == 0xFF) {
                const uchar *q = p + 1;
                while (q < end && *q == 0xFF)
                    ++q;
                if (q < end && *q == 0x00) {
                    ++extra;
                    p = q + 1;
                    continue;
                }
                break;
            }
            if (*p != 0)
                ++extra;
            ++p;
        }
        atMarker = true;
        return extra;
    }
};

} // namespace dl::jpeg
