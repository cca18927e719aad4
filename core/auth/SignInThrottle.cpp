// SPDX-License-Identifier: GPL-3.0-or-later
#include "auth/SignInThrottle.h"

#include <QDateTime>

#include <algorithm>

namespace dl {

SignInThrottle &SignInThrottle::instance()
{
    static SignInThrottle throttle;
    return throttle;
}

qint64 SignInThrottle::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

int SignInThrottle::secondsToWait(const QString &storeKey, const QString &name) const
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_records.constFind(key(storeKey, name));
    if (it == m_records.cend())
        return 0;
    const qint64 left = it->notBefore - now();
    return left <= 0 ? 0 : int((left + 999) / 1000);
}

void SignInThrottle::failed(const QString &storeKey, const QString &name)
{
    QMutexLocker locker(&m_mutex);
    Record &record = m_records[key(storeKey, name)];
    ++record.failures;
    const int beyond = record.failures - FreeAttempts;
    if (beyond > 0) {
        const qint64 delay = std::min<qint64>(qint64(1) << std::min(beyond, 20), MaxDelaySeconds);
        record.notBefore = now() + delay * 1000;
    }
}

void SignInThrottle::succeeded(const QString &storeKey, const QString &name)
{
    QMutexLocker locker(&m_mutex);
    m_records.remove(key(storeKey, name));
}

void SignInThrottle::setClockForTesting(std::function<qint64()> clock)
{
    QMutexLocker locker(&m_mutex);
    m_clock = std::move(clock);
}

void SignInThrottle::reset()
{
    QMutexLocker locker(&m_mutex);
    m_records.clear();
}

} // namespace dl
