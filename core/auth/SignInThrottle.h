// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QMutex>
#include <QString>

#include <functional>

namespace dl {

/// Slows down guessing: after a few failed sign-ins with one name, the next attempt with that
/// name is refused until a waiting time has passed, and the waiting time doubles with every
/// further failure (FreeAttempts free, then 2 s, 4 s, ... up to MaxDelaySeconds). A successful
/// sign-in clears the name's record. Kept per process (the workstation, the command line).
///
/// Refusing instead of sleeping keeps the workstation responsive and costs a guesser the same.
class SignInThrottle
{
public:
    static constexpr int FreeAttempts = 3;
    static constexpr int MaxDelaySeconds = 300;

    /// The process's throttle.
    static SignInThrottle &instance();

    /// Seconds to wait before name may try again; 0 when it may now.
    int secondsToWait(const QString &storeKey, const QString &name) const;
    void failed(const QString &storeKey, const QString &name);
    void succeeded(const QString &storeKey, const QString &name);

    /// Tests: the clock (milliseconds since the epoch) and a clean slate.
    void setClockForTesting(std::function<qint64()> clock);
    void reset();

private:
    struct Record
    {
        int failures = 0;
        qint64 notBefore = 0; ///< ms since the epoch
    };
    qint64 now() const;
    static QString key(const QString &storeKey, const QString &name) { return storeKey + u'\n' + name.toCaseFolded(); }

    mutable QMutex m_mutex;
    QHash<QString, Record> m_records;
    std::function<qint64()> m_clock;
};

} // namespace dl
