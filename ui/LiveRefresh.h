// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

namespace dl {

class ImageListModel;
class QaDashboard;
class Store;
class StoreChangeListener;

/// Other people's changes on the screens of a team store session, without restarting: listens to
/// the store (StoreChangeListener) and, debounced (a burst of changes is one refresh):
/// - the QA dashboard reloads when labels, adjudications, assignments, users or images change,
///   keeping its selection and scroll positions;
/// - the image list (an annotator's queue, or every image for QA leads and admins) follows: images
///   newly assigned to the annotator appear, removed ones disappear unless open for labelling;
/// - usersChanged() tells an open users dialog to re-read the users;
/// - changed() tells the window to refresh what else it shows (the store summary).
/// On an SQLite store nothing is listened to (isActive() is false).
class LiveRefresh : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultDelayMs = 1000;

    LiveRefresh(const Store &store, const User &user, QObject *parent = nullptr);
    ~LiveRefresh() override;

    bool isActive() const;
    QString error() const;
    StoreChangeListener *listener() const { return m_listener.get(); }

    void setDashboard(QaDashboard *dashboard) { m_dashboard = dashboard; }
    /// The image list to keep current, and the image open for labelling (kept in the list).
    void setImageList(ImageListModel *images, std::function<qint64()> openImage = {});
    /// How long to wait for more changes before refreshing.
    void setDelay(int ms) { m_timer.setInterval(ms); }

signals:
    /// Users were added or changed (debounced; before changed()).
    void usersChanged();
    /// A debounced refresh ran (after the dashboard's reload was started and the list followed).
    void changed();

private:
    void schedule(bool list, bool dashboard, bool users = false);
    void apply();

    User m_user;
    std::unique_ptr<StoreChangeListener> m_listener;
    QPointer<QaDashboard> m_dashboard;
    QPointer<ImageListModel> m_images;
    std::function<qint64()> m_openImage;
    QTimer m_timer;
    bool m_listDue = false;
    bool m_dashboardDue = false;
    bool m_usersDue = false;
};

} // namespace dl
