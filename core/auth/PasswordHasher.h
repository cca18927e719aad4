// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace dl {

/// Salted PBKDF2-HMAC-SHA256 password hashes, stored as
/// "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>".
class PasswordHasher
{
public:
    static constexpr int DefaultIterations = 210'000;

    static QString hash(const QString &password, int iterations = DefaultIterations);
    /// Constant-time comparison against a stored hash.
    static bool verify(const QString &password, const QString &encoded);

    /// RFC 8018 PBKDF2 with HMAC-SHA256.
    static QByteArray pbkdf2Sha256(const QByteArray &password, const QByteArray &salt, int iterations,
                                   int length);
};

} // namespace dl
