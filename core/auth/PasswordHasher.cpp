// SPDX-License-Identifier: GPL-3.0-or-later
#include "auth/PasswordHasher.h"

#include <QCryptographicHash>
#include <QList>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

/// HMAC-SHA256 with the key pads computed once, for the PBKDF2 inner loop.
class Hmac
{
public:
    explicit Hmac(QByteArray key)
    {
        if (key.size() > 64)
            key = QCryptographicHash::hash(key, QCryptographicHash::Sha256);
        key.resize(64, '\0');
        m_inner = key;
        m_outer = key;
        for (int i = 0; i < 64; ++i) {
            m_inner[i] = char(m_inner[i] ^ 0x36);
            m_outer[i] = char(m_outer[i] ^ 0x5c);
        }
    }

    QByteArray mac(QByteArrayView message)
    {
        m_hash.reset();
        m_hash.addData(m_inner);
        m_hash.addData(message);
        const QByteArray inner = m_hash.result();
        m_hash.reset();
        m_hash.addData(m_outer);
        m_hash.addData(inner);
        return m_hash.result();
    }

private:
    QByteArray m_inner, m_outer;
    QCryptographicHash m_hash {QCryptographicHash::Sha256};
};

} // namespace

QByteArray PasswordHasher::pbkdf2Sha256(const QByteArray &password, const QByteArray &salt, int iterations,
                                        int length)
{
    Hmac hmac(password);
    QByteArray output;
    for (quint32 block = 1; output.size() < length; ++block) {
        QByteArray message = salt;
        message.append(char(block >> 24)).append(char(block >> 16)).append(char(block >> 8)).append(char(block));
        QByteArray u = hmac.mac(message);
        QByteArray t = u;
        for (int i = 1; i < iterations; ++i) {
            u = hmac.mac(u);
            for (qsizetype j = 0; j < t.size(); ++j)
                t[j] = char(t[j] ^ u[j]);
        }
        output.append(t);
    }
    output.truncate(length);
    return output;
}

QString PasswordHasher::hash(const QString &password, int iterations)
{
    QByteArray salt(16, Qt::Uninitialized);
    QRandomGenerator::system()->generate(salt.begin(), salt.end());
    const QByteArray derived = pbkdf2Sha256(password.toUtf8(), salt, iterations, 32);
    return u"pbkdf2-sha256$%1$%2$%3"_s.arg(iterations)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(derived.toBase64()));
}

bool PasswordHasher::verify(const QString &password, const QString &encoded)
{
    const QList<QStringView> parts = QStringView(encoded).split(u'$');
    if (parts.size() != 4 || parts[0] != u"pbkdf2-sha256"_s)
        return false;
    bool ok = false;
    const int iterations = parts[1].toInt(&ok);
    if (!ok || iterations < 1 || iterations > 10'000'000)
        return false;
    const QByteArray salt = QByteArray::fromBase64(parts[2].toLatin1());
    const QByteArray expected = QByteArray::fromBase64(parts[3].toLatin1());
    if (salt.isEmpty() || expected.isEmpty())
        return false;
    const QByteArray derived = pbkdf2Sha256(password.toUtf8(), salt, iterations, int(expected.size()));
    unsigned char diff = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        diff |= static_cast<unsigned char>(derived[i] ^ expected[i]);
    return diff == 0;
}

} // namespace dl
