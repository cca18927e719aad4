// SPDX-License-Identifier: GPL-3.0-or-later
// Bounds the test process's address space for one scope: an allocation the code under test should
// never make fails instead of quietly succeeding on a large machine.
#pragma once

#include <QFile>
#include <QList>

#include <sys/resource.h>
#include <unistd.h>

namespace dl::test {

#if defined(__SANITIZE_ADDRESS__)
#define DERMLABEL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DERMLABEL_ASAN 1
#endif
#endif

/// While alive, the soft RLIMIT_AS is the current address space plus \a headroom bytes (none under
/// AddressSanitizer, which reserves terabytes of shadow memory: there the sanitizer's own
/// allocation limit applies). Restores the previous limit when destroyed.
class AddressSpaceLimit
{
public:
    explicit AddressSpaceLimit(qint64 headroom)
    {
#ifndef DERMLABEL_ASAN
        QFile statm(QStringLiteral("/proc/self/statm"));
        if (!statm.open(QIODevice::ReadOnly) || getrlimit(RLIMIT_AS, &m_previous) != 0)
            return;
        const QList<QByteArray> fields = statm.readAll().split(' ');
        const qint64 pages = fields.value(0).toLongLong();
        if (pages <= 0)
            return;
        rlimit limit = m_previous;
        limit.rlim_cur = rlim_t(pages * sysconf(_SC_PAGESIZE) + headroom);
        if (m_previous.rlim_max != RLIM_INFINITY && limit.rlim_cur > m_previous.rlim_max)
            return;
        m_active = setrlimit(RLIMIT_AS, &limit) == 0;
#else
        Q_UNUSED(headroom)
#endif
    }
    ~AddressSpaceLimit()
    {
        if (m_active)
            setrlimit(RLIMIT_AS, &m_previous);
    }
    AddressSpaceLimit(const AddressSpaceLimit &) = delete;
    AddressSpaceLimit &operator=(const AddressSpaceLimit &) = delete;

    bool isActive() const { return m_active; }

private:
    rlimit m_previous {};
    bool m_active = false;
};

} // namespace dl::test
