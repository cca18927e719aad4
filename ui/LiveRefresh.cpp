// SPDX-License-Identifier: GPL-3.0-or-later
#include "LiveRefresh.h"

#include "ImageListModel.h"
#include "qa/QaDashboard.h"
#include "store/StoreChangeListener.h"

namespace dl {

LiveRefresh::LiveRefresh(const Store &store, const User &user, QObject *parent)
    : QObject(parent)
    , m_user(user)
    , m_listener(std::make_unique<StoreChangeListener>(store))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(DefaultDelayMs);
    connect(&m_timer, &QTimer::timeout, this, &LiveRefresh::apply);
    const bool staff = m_user.role != Role::Annotator;
    connect(m_listener.get(), &StoreChangeListener::labelsChanged, this, [this] { schedule(false, true); });
    connect(m_listener.get(), &StoreChangeListener::adjudicationsChanged, this, [this] { schedule(false, true); });
    connect(m_listener.get(), &StoreChangeListener::usersChanged, this, [this] { schedule(false, true, true); });
    connect(m_listener.get(), &StoreChangeListener::imagesAdded, this, [this, staff] { schedule(staff, true); });
    // An annotator's queue changes with their own assignments only (ids: the payload says whose).
    connect(m_listener.get(), &StoreChangeListener::assignmentsChanged, this,
            [this, staff](qint64, qint64 userId) { schedule(staff || userId == m_user.id, true); });
}

LiveRefresh::~LiveRefresh() = default;

bool LiveRefresh::isActive() const
{
    return m_listener->isActive();
}

QString LiveRefresh::error() const
{
    return m_listener->error();
}

void LiveRefresh::setImageList(ImageListModel *images, std::function<qint64()> openImage)
{
    m_images = images;
    m_openImage = std::move(openImage);
}

void LiveRefresh::schedule(bool list, bool dashboard, bool users)
{
    m_usersDue = m_usersDue || users;
    m_listDue = m_listDue || list;
    m_dashboardDue = m_dashboardDue || dashboard;
    m_timer.start(); // restarted by every change of a burst
}

void LiveRefresh::apply()
{
    if (m_listDue && m_images)
        m_images->refresh(m_openImage ? m_openImage() : -1);
    if (m_dashboardDue && m_dashboard)
        m_dashboard->refreshKeepingView();
    const bool users = m_usersDue;
    m_listDue = m_dashboardDue = m_usersDue = false;
    if (users)
        emit usersChanged();
    emit changed();
}

} // namespace dl
