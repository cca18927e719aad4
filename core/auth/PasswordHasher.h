// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAtomicInteger>
#include <QByteArray>
#include <QString>

namespace dl {

/// Salted PBKDF2-HMAC-SHA256 password hashes (OpenSSL's implementation), stored as
/// "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>".
///
/// 600,000 iterations by default, OWASP's figure for PBKDF2-HMAC-SHA256 (2023); hashes made
/// with fewer are upgraded at the next successful sign-in (needsUpgrade()).
class PasswordHasher
{
public:
    static constexpr int DefaultIterations = 600'000;

    static QString hash(const QString &password, int iterations = DefaultIterations);
    /// Constant-time comparison against a stored hash.
    static bool verify(const QString &password, const QString &encoded);
    /// Spends the time of verifying a password against a hash with this many iterations and
    /// returns false: for a name that has no account, so that it costs what a wrong password
    /// costs and the time of an answer never tells who has an account.
    static bool verifyNothing(const QString &password, int iterations = DefaultIterations);
    /// The iterations of a stored hash; 0 when it is not one.
    static int iterationsOf(const QString &encoded);
    /// True when the stored hash is weaker than a new one would be.
    static bool needsUpgrade(const QString &encoded) { return iterationsOf(encoded) < DefaultIterations; }

    /// RFC 8018 PBKDF2 with HMAC-SHA256.
    static QByteArray pbkdf2Sha256(const QByteArray &password, const QByteArray &salt, int iterations,
                                   int length);

    /// How many PBKDF2 derivations ran in this process, and their iterations in all (for tests
    /// that check that every sign-in attempt does the same work).
    static quint64 derivations() { return s_derivations.loadRelaxed(); }
    static quint64 derivedIterations() { return s_iterations.loadRelaxed(); }

private:
    static QAtomicInteger<quint64> s_derivations;
    static QAtomicInteger<quint64> s_iterations;
};

} // namespace dl
