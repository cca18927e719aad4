// SPDX-License-Identifier: GPL-3.0-or-later
#include "auth/PasswordHasher.h"

#include <QList>
#include <QRandomGenerator>

#include <openssl/evp.h>

using namespace Qt::StringLiterals;

namespace dl {

QAtomicInteger<quint64> PasswordHasher::s_derivations;
QAtomicInteger<quint64> PasswordHasher::s_iterations;

QByteArray PasswordHasher::pbkdf2Sha256(const QByteArray &password, const QByteArray &salt, int iterations,
                                        int length)
{
    QByteArray output(length, Qt::Uninitialized);
    if (PKCS5_PBKDF2_HMAC(password.constData(), int(password.size()),
                          reinterpret_cast<const unsigned char *>(salt.constData()), int(salt.size()), iterations,
                          EVP_sha256(), length, reinterpret_cast<unsigned char *>(output.data()))
        != 1)
        return {};
    s_derivations.fetchAndAddRelaxed(1);
    s_iterations.fetchAndAddRelaxed(quint64(iterations));
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

int PasswordHasher::iterationsOf(const QString &encoded)
{
    const QList<QStringView> parts = QStringView(encoded).split(u'$');
    if (parts.size() != 4 || parts[0] != u"pbkdf2-sha256"_s)
        return 0;
    bool ok = false;
    const int iterations = parts[1].toInt(&ok);
    return ok && iterations >= 1 && iterations <= 10'000'000 ? iterations : 0;
}

bool PasswordHasher::verifyNothing(const QString &password, int iterations)
{
    static const QByteArray salt = QByteArray(16, '\x5a');
    pbkdf2Sha256(password.toUtf8(), salt, iterations, 32);
    return false;
}

bool PasswordHasher::verify(const QString &password, const QString &encoded)
{
    const int iterations = iterationsOf(encoded);
    if (iterations == 0)
        return verifyNothing(password);
    const QList<QStringView> parts = QStringView(encoded).split(u'$');
    const QByteArray salt = QByteArray::fromBase64(parts[2].toLatin1());
    const QByteArray expected = QByteArray::fromBase64(parts[3].toLatin1());
    if (salt.isEmpty() || expected.isEmpty())
        return false;
    const QByteArray derived = pbkdf2Sha256(password.toUtf8(), salt, iterations, int(expected.size()));
    if (derived.size() != expected.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        diff |= static_cast<unsigned char>(derived[i] ^ expected[i]);
    return diff == 0;
}

} // namespace dl
