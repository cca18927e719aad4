// SPDX-License-Identifier: GPL-3.0-or-later
#include "text/PyLiteral.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

enum class Kind
{
    String,
    Int,
    Float,
    Bool,
    None,
    List,
    Tuple,
    Dict
};

/// Kind and position of one direct element of the top-level container (for the typed helpers).
struct Child
{
    Kind kind;
    qsizetype pos;
};

QString kindName(Kind kind)
{
    switch (kind) {
    case Kind::String:
        return PyLiteral::tr("a string");
    case Kind::Int:
        return PyLiteral::tr("an integer");
    case Kind::Float:
        return PyLiteral::tr("a float");
    case Kind::Bool:
        return PyLiteral::tr("a boolean");
    case Kind::None:
        return PyLiteral::tr("None");
    case Kind::List:
        return PyLiteral::tr("a list");
    case Kind::Tuple:
        return PyLiteral::tr("a tuple");
    case Kind::Dict:
        return PyLiteral::tr("a dict");
    }
    return QString();
}

bool isSpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r' || c == u'\f' || c == u'\v';
}

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

int hexValue(QChar c)
{
    if (c >= u'0' && c <= u'9')
        return c.unicode() - u'0';
    if (c >= u'a' && c <= u'f')
        return c.unicode() - u'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c.unicode() - u'A' + 10;
    return -1;
}

bool isNumeric(const QVariant &v)
{
    const int type = v.typeId();
    return type == QMetaType::LongLong || type == QMetaType::Double || type == QMetaType::Bool;
}

/// Dict-key equality as Python sees it: 1, 1.0 and True are the same key, '1' and 1 are not
/// (QVariant's operator== would convert between them).
bool sameKey(const QVariant &a, const QVariant &b)
{
    if (isNumeric(a) || isNumeric(b)) {
        if (!isNumeric(a) || !isNumeric(b))
            return false;
        if (a.typeId() == QMetaType::LongLong && b.typeId() == QMetaType::LongLong)
            return a.toLongLong() == b.toLongLong();
        return a.toDouble() == b.toDouble();
    }
    if (a.typeId() != b.typeId())
        return false;
    switch (a.typeId()) {
    case QMetaType::UnknownType:
        return true; // None
    case QMetaType::QString:
        return a.toString() == b.toString();
    case QMetaType::QVariantList: {
        const QVariantList x = a.toList();
        const QVariantList y = b.toList();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!sameKey(x.at(i), y.at(i)))
                return false;
        }
        return true;
    }
    default:
        return a == b;
    }
}

class Parser
{
public:
    explicit Parser(QStringView text)
        : m_s(text)
    { }

    const QString &error() const { return m_error; }
    qsizetype pos() const { return m_pos; }

    void skipSpace()
    {
        while (m_pos < m_s.size() && isSpace(m_s[m_pos]))
            ++m_pos;
    }

    bool atEnd() const { return m_pos >= m_s.size(); }

    bool fail(qsizetype at, const QString &message)
    {
        if (m_error.isEmpty())
            m_error = PyLiteral::tr("character %1: %2").arg(at + 1).arg(message);
        return false;
    }

    /// "expected X, found Y" at the current position.
    bool failExpected(const QString &expected)
    {
        return fail(m_pos, PyLiteral::tr("expected %1, found %2").arg(expected, describeCurrent()));
    }

    bool expectEnd()
    {
        skipSpace();
        if (!atEnd())
            return failExpected(PyLiteral::tr("the end of the text"));
        return true;
    }

    /// Parses one value. If \a children is given and the value is a container, the kinds and positions
    /// of its direct elements (for a dict: key, value, key, value, ...) are stored there.
    bool parseValue(QVariant &out, Kind &kind, QList<Child> *children = nullptr)
    {
        skipSpace();
        if (atEnd())
            return failExpected(PyLiteral::tr("a value"));
        const QChar c = m_s[m_pos];
        if (c == u'\'' || c == u'"') {
            QString text;
            if (!parseString(text))
                return false;
            out = text;
            kind = Kind::String;
            return true;
        }
        if (c == u'[' || c == u'(' || c == u'{') {
            if (m_depth >= maxDepth)
                return fail(m_pos, PyLiteral::tr("nested more than %1 levels deep").arg(maxDepth));
            ++m_depth;
            bool ok;
            if (c == u'[')
                ok = parseList(out, kind, children);
            else if (c == u'(')
                ok = parseTuple(out, kind, children);
            else
                ok = parseDict(out, kind, children);
            --m_depth;
            return ok;
        }
        if (isDigit(c) || c == u'.' || c == u'-' || c == u'+')
            return parseNumber(out, kind);
        if (isWordChar(c))
            return parseWord(out, kind);
        return failExpected(PyLiteral::tr("a value"));
    }

private:
    static constexpr int maxDepth = 100;

    QString describeCurrent() const
    {
        if (atEnd())
            return PyLiteral::tr("the end of the text");
        const QChar c = m_s[m_pos];
        if (c == u'\n' || c == u'\r')
            return PyLiteral::tr("a line break");
        if (c == u'\'')
            return u"\"'\""_s;
        if (!c.isPrint() || c.isSpace())
            return u"U+%1"_s.arg(c.unicode(), 4, 16, QLatin1Char('0')).toUpper();
        return u"'%1'"_s.arg(c);
    }

    bool parseList(QVariant &out, Kind &kind, QList<Child> *children)
    {
        ++m_pos; // '['
        QVariantList items;
        if (!parseItems(u']', items, children))
            return false;
        out = std::move(items);
        kind = Kind::List;
        return true;
    }

    /// Elements up to \a close, separated by commas, with an optional trailing comma.
    bool parseItems(QChar close, QVariantList &items, QList<Child> *children)
    {
        for (;;) {
            skipSpace();
            if (!atEnd() && m_s[m_pos] == close) {
                ++m_pos;
                return true;
            }
            const qsizetype start = m_pos;
            QVariant item;
            Kind itemKind;
            if (!parseValue(item, itemKind))
                return false;
            items.append(std::move(item));
            if (children)
                children->append({ itemKind, start });
            if (!afterItem(close))
                return false;
            if (m_s[m_pos - 1] == close)
                return true;
        }
    }

    /// After an element: consumes ',' (then more may follow) or the closing bracket.
    bool afterItem(QChar close)
    {
        skipSpace();
        if (!atEnd() && (m_s[m_pos] == u',' || m_s[m_pos] == close)) {
            ++m_pos;
            return true;
        }
        return failExpected(u"',' %1 '%2'"_s.arg(PyLiteral::tr("or"), close));
    }

    bool parseTuple(QVariant &out, Kind &kind, QList<Child> *children)
    {
        ++m_pos; // '('
        skipSpace();
        if (!atEnd() && m_s[m_pos] == u')') {
            ++m_pos;
            out = QVariantList();
            kind = Kind::Tuple;
            return true;
        }
        // "(x)" is x itself; "(x,)" and "(x, y)" are tuples.
        const qsizetype start = m_pos;
        QVariant first;
        Kind firstKind;
        QList<Child> firstChildren;
        if (!parseValue(first, firstKind, children ? &firstChildren : nullptr))
            return false;
        skipSpace();
        if (!atEnd() && m_s[m_pos] == u')') {
            ++m_pos;
            out = std::move(first);
            kind = firstKind;
            if (children)
                *children = std::move(firstChildren);
            return true;
        }
        if (atEnd() || m_s[m_pos] != u',')
            return failExpected(u"',' %1 ')'"_s.arg(PyLiteral::tr("or")));
        ++m_pos;
        QVariantList items { std::move(first) };
        if (children)
            children->append({ firstKind, start });
        if (!parseItems(u')', items, children))
            return false;
        out = std::move(items);
        kind = Kind::Tuple;
        return true;
    }

    bool parseDict(QVariant &out, Kind &kind, QList<Child> *children)
    {
        ++m_pos; // '{'
        QVariantList pairs;
        QList<Child> pairChildren;
        for (;;) {
            skipSpace();
            if (!atEnd() && m_s[m_pos] == u'}') {
                ++m_pos;
                break;
            }
            const qsizetype keyPos = m_pos;
            QVariant key;
            Kind keyKind;
            if (!parseValue(key, keyKind))
                return false;
            if (keyKind == Kind::List || keyKind == Kind::Dict)
                return fail(keyPos, PyLiteral::tr("a dict key cannot be %1").arg(kindName(keyKind)));
            skipSpace();
            if (atEnd() || m_s[m_pos] != u':')
                return failExpected(u"':'"_s);
            ++m_pos;
            skipSpace();
            const qsizetype valuePos = m_pos;
            QVariant value;
            Kind valueKind;
            if (!parseValue(value, valueKind))
                return false;

            // A repeated key keeps its first place and takes the new value, as in Python.
            qsizetype existing = -1;
            for (qsizetype i = 0; i < pairs.size(); ++i) {
                if (sameKey(pairs.at(i).toList().constFirst(), key)) {
                    existing = i;
                    break;
                }
            }
            if (existing >= 0) {
                // Python keeps the first key object and replaces only the value.
                const QVariant firstKey = pairs.at(existing).toList().constFirst();
                pairs[existing] = QVariantList { firstKey, std::move(value) };
                if (children)
                    pairChildren[2 * existing + 1] = { valueKind, valuePos };
            } else {
                pairs.append(QVariant(QVariantList { std::move(key), std::move(value) }));
                if (children) {
                    pairChildren.append({ keyKind, keyPos });
                    pairChildren.append({ valueKind, valuePos });
                }
            }
            if (!afterItem(u'}'))
                return false;
            if (m_s[m_pos - 1] == u'}')
                break;
        }
        out = std::move(pairs);
        kind = Kind::Dict;
        if (children)
            *children = std::move(pairChildren);
        return true;
    }

    bool parseString(QString &out)
    {
        const qsizetype start = m_pos;
        const QChar quote = m_s[m_pos++];
        qsizetype segment = m_pos;
        const auto unterminated = [&]() {
            return fail(start,
                PyLiteral::tr("string not closed (expected a closing %1)")
                    .arg(quote == u'\'' ? u"\"'\""_s : u"'\"'"_s));
        };
        for (;;) {
            if (atEnd())
                return unterminated();
            const QChar c = m_s[m_pos];
            if (c == quote) {
                out += m_s.sliced(segment, m_pos - segment);
                ++m_pos;
                return true;
            }
            if (c == u'\n' || c == u'\r')
                return unterminated();
            if (c != u'\\') {
                ++m_pos;
                continue;
            }
            out += m_s.sliced(segment, m_pos - segment);
            if (!parseEscape(out))
                return false;
            segment = m_pos;
        }
    }

    /// At a backslash inside a string: appends the escaped character(s) to \a out.
    bool parseEscape(QString &out)
    {
        const qsizetype backslash = m_pos++;
        if (atEnd())
            return fail(backslash, PyLiteral::tr("string not closed (it ends with a backslash)"));
        const QChar e = m_s[m_pos++];
        switch (e.unicode()) {
        case u'\\':
        case u'\'':
        case u'"':
            out += e;
            return true;
        case u'n':
            out += u'\n';
            return true;
        case u't':
            out += u'\t';
            return true;
        case u'r':
            out += u'\r';
            return true;
        case u'a':
            out += QChar(0x07);
            return true;
        case u'b':
            out += QChar(0x08);
            return true;
        case u'f':
            out += QChar(0x0C);
            return true;
        case u'v':
            out += QChar(0x0B);
            return true;
        case u'\n': // line continuation
            return true;
        case u'\r':
            if (!atEnd() && m_s[m_pos] == u'\n')
                ++m_pos;
            return true;
        case u'x':
        case u'u':
        case u'U': {
            const int digits = e == u'x' ? 2 : e == u'u' ? 4 : 8;
            char32_t code = 0;
            for (int i = 0; i < digits; ++i) {
                const int v = atEnd() ? -1 : hexValue(m_s[m_pos]);
                if (v < 0)
                    return fail(backslash,
                        PyLiteral::tr("\\%1 must be followed by %2 hexadecimal digits").arg(e).arg(digits));
                code = code * 16 + char32_t(v);
                ++m_pos;
            }
            if (code > 0x10FFFF)
                return fail(backslash, PyLiteral::tr("\\U escape beyond U+10FFFF"));
            const char32_t ucs4[1] = { code };
            out += QString::fromUcs4(ucs4, 1);
            return true;
        }
        case u'N':
            return fail(backslash, PyLiteral::tr("\\N{...} escapes are not supported"));
        default:
            break;
        }
        if (e >= u'0' && e <= u'7') { // octal, up to three digits
            char32_t code = e.unicode() - u'0';
            for (int i = 0; i < 2 && !atEnd() && m_s[m_pos] >= u'0' && m_s[m_pos] <= u'7'; ++i)
                code = code * 8 + (m_s[m_pos++].unicode() - u'0');
            out += QChar(char16_t(code));
            return true;
        }
        // Unknown escapes keep the backslash, as in Python.
        out += u'\\';
        out += e;
        return true;
    }

    bool parseNumber(QVariant &out, Kind &kind)
    {
        const qsizetype start = m_pos;
        bool negative = false;
        if (m_s[m_pos] == u'-' || m_s[m_pos] == u'+') {
            negative = m_s[m_pos] == u'-';
            ++m_pos;
            skipSpace();
            if (atEnd() || !(isDigit(m_s[m_pos]) || m_s[m_pos] == u'.'))
                return failExpected(PyLiteral::tr("a number after '%1'").arg(QChar(negative ? u'-' : u'+')));
        }
        const qsizetype bodyStart = m_pos;
        bool isFloat = false;
        qsizetype mantissaDigits = 0;
        while (!atEnd() && isDigit(m_s[m_pos])) {
            ++m_pos;
            ++mantissaDigits;
        }
        if (!atEnd() && m_s[m_pos] == u'.') {
            isFloat = true;
            ++m_pos;
            while (!atEnd() && isDigit(m_s[m_pos])) {
                ++m_pos;
                ++mantissaDigits;
            }
        }
        if (mantissaDigits == 0)
            return fail(start, PyLiteral::tr("malformed number"));
        if (!atEnd() && (m_s[m_pos] == u'e' || m_s[m_pos] == u'E')) {
            isFloat = true;
            ++m_pos;
            if (!atEnd() && (m_s[m_pos] == u'+' || m_s[m_pos] == u'-'))
                ++m_pos;
            qsizetype exponentDigits = 0;
            while (!atEnd() && isDigit(m_s[m_pos])) {
                ++m_pos;
                ++exponentDigits;
            }
            if (exponentDigits == 0)
                return fail(start, PyLiteral::tr("malformed number (exponent without digits)"));
        }
        if (!atEnd() && (isWordChar(m_s[m_pos]) || m_s[m_pos] == u'.'))
            return fail(start, PyLiteral::tr("malformed number"));

        QString body = m_s.sliced(bodyStart, m_pos - bodyStart).toString();
        if (negative)
            body.prepend(u'-');
        bool ok = false;
        if (isFloat) {
            const double value = body.toDouble(&ok);
            if (!ok || !std::isfinite(value))
                return fail(start, PyLiteral::tr("number out of range"));
            out = value;
            kind = Kind::Float;
        } else {
            const qlonglong value = body.toLongLong(&ok);
            if (!ok)
                return fail(start, PyLiteral::tr("integer out of range"));
            out = value;
            kind = Kind::Int;
        }
        return true;
    }

    bool parseWord(QVariant &out, Kind &kind)
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isWordChar(m_s[m_pos]))
            ++m_pos;
        const QStringView word = m_s.sliced(start, m_pos - start);
        if (word == u"True" || word == u"False") {
            out = word == u"True";
            kind = Kind::Bool;
            return true;
        }
        if (word == u"None") {
            out = QVariant();
            kind = Kind::None;
            return true;
        }
        return fail(start,
            PyLiteral::tr("unexpected word '%1' (expected a value; text must be quoted)").arg(word.left(40)));
    }

    QStringView m_s;
    qsizetype m_pos = 0;
    int m_depth = 0;
    QString m_error;
};

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

bool isBlank(QStringView text)
{
    for (const QChar c : text) {
        if (!isSpace(c))
            return false;
    }
    return true;
}

/// Parses a top-level container of one of the \a accepted kinds and reports its direct elements.
std::optional<QVariantList> parseContainer(QStringView text, std::initializer_list<Kind> accepted,
    const QString &expected, QList<Child> &children, QString *error)
{
    Parser parser(text);
    parser.skipSpace();
    const qsizetype start = parser.pos();
    QVariant value;
    Kind kind;
    if (!parser.parseValue(value, kind, &children) || !parser.expectEnd()) {
        setError(error, parser.error());
        return std::nullopt;
    }
    if (std::find(accepted.begin(), accepted.end(), kind) == accepted.end()) {
        setError(error,
            PyLiteral::tr("character %1: expected %2, found %3")
                .arg(start + 1)
                .arg(expected, kindName(kind)));
        return std::nullopt;
    }
    return value.toList();
}

QString elementTypeError(const Child &child, qsizetype index, const QString &expected)
{
    return PyLiteral::tr("character %1: element %2 is %3, expected %4")
        .arg(child.pos + 1)
        .arg(index + 1)
        .arg(kindName(child.kind), expected);
}

} // namespace

std::optional<QVariant> PyLiteral::parse(QStringView text, QString *error)
{
    Parser parser(text);
    QVariant value;
    Kind kind;
    if (!parser.parseValue(value, kind) || !parser.expectEnd()) {
        setError(error, parser.error());
        return std::nullopt;
    }
    return value;
}

std::optional<QStringList> PyLiteral::parseStringList(QStringView text, QString *error)
{
    if (isBlank(text))
        return QStringList();
    QList<Child> children;
    const auto items
        = parseContainer(text, { Kind::List, Kind::Tuple }, tr("a list of strings"), children, error);
    if (!items)
        return std::nullopt;
    QStringList result;
    result.reserve(items->size());
    for (qsizetype i = 0; i < items->size(); ++i) {
        if (children.at(i).kind != Kind::String) {
            setError(error, elementTypeError(children.at(i), i, tr("a string")));
            return std::nullopt;
        }
        result.append(items->at(i).toString());
    }
    return result;
}

std::optional<QList<double>> PyLiteral::parseNumberList(QStringView text, QString *error)
{
    if (isBlank(text))
        return QList<double>();
    QList<Child> children;
    const auto items
        = parseContainer(text, { Kind::List, Kind::Tuple }, tr("a list of numbers"), children, error);
    if (!items)
        return std::nullopt;
    QList<double> result;
    result.reserve(items->size());
    for (qsizetype i = 0; i < items->size(); ++i) {
        const Kind kind = children.at(i).kind;
        if (kind != Kind::Int && kind != Kind::Float) {
            setError(error, elementTypeError(children.at(i), i, tr("a number")));
            return std::nullopt;
        }
        result.append(items->at(i).toDouble());
    }
    return result;
}

std::optional<QList<QPair<QString, double>>> PyLiteral::parseStringNumberDict(
    QStringView text, QString *error)
{
    if (isBlank(text))
        return QList<QPair<QString, double>>();
    QList<Child> children;
    const auto pairs = parseContainer(text, { Kind::Dict }, tr("a dict of numbers"), children, error);
    if (!pairs)
        return std::nullopt;
    QList<QPair<QString, double>> result;
    result.reserve(pairs->size());
    for (qsizetype i = 0; i < pairs->size(); ++i) {
        const Child &key = children.at(2 * i);
        const Child &value = children.at(2 * i + 1);
        if (key.kind != Kind::String) {
            setError(error,
                tr("character %1: key %2 is %3, expected a string")
                    .arg(key.pos + 1)
                    .arg(i + 1)
                    .arg(kindName(key.kind)));
            return std::nullopt;
        }
        if (value.kind != Kind::Int && value.kind != Kind::Float) {
            setError(error,
                tr("character %1: the value of key %2 is %3, expected a number")
                    .arg(value.pos + 1)
                    .arg(i + 1)
                    .arg(kindName(value.kind)));
            return std::nullopt;
        }
        const QVariantList pair = pairs->at(i).toList();
        result.append({ pair.at(0).toString(), pair.at(1).toDouble() });
    }
    return result;
}

} // namespace dl
