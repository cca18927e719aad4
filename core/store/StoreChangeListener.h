// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

namespace dl {

class Store;

/// Other people's changes to a team store, as they commit: the server's triggers
/// (team_security.sql) NOTIFY in the transaction of each change, and this listener, on a
/// connection of its own (same credentials as the store's, on the thread that creates it, which
/// needs an event loop), LISTENs and turns each payload into a signal.
///
/// PostgreSQL lets any session LISTEN to any channel it can name, so what a session hears is
/// decided by which channel names the server tells it (dl_my_channel(), dl_staff_channel()):
/// an annotator hears only of their own assignments ("assignments <image> <their id>"); QA leads,
/// admins and the store's owner hear every change: "labels <image>", "assignments <image> <user>",
/// "users <user>", "images", "adjudications <image>". Payloads carry ids only, never label
/// contents. What a session may then read is still decided by the server's row rules.
///
/// An SQLite store has one workstation (its lock file) and no server to tell: there the listener
/// does nothing (isActive() is false) and the screens refresh as before, on their own actions.
class StoreChangeListener : public QObject
{
    Q_OBJECT

public:
    /// Starts listening on a team store (see isActive(), error()).
    explicit StoreChangeListener(const Store &store, QObject *parent = nullptr);
    ~StoreChangeListener() override;

    /// Listening (a team store whose server accepted LISTEN).
    bool isActive() const { return m_active; }
    /// Why a team store's listener is not active (empty otherwise).
    QString error() const { return m_error; }
    /// The channels listened to (the server's names for this session: its own assignments, and
    /// every change for QA leads, admins and the owner).
    QStringList channels() const { return m_channels; }
    /// Whether this session hears every change (QA lead, admin, owner) rather than only its own
    /// assignments.
    bool hearsEverything() const { return m_staff; }

    /// Emits the signals of one payload (what a notification carries); false for a payload this
    /// program does not know (ignored).
    bool dispatch(const QString &payload);

signals:
    /// A rater's labels or masks of the image changed.
    void labelsChanged(qint64 imageId);
    /// An assignment of the image to the user was added, removed or changed (its status too).
    void assignmentsChanged(qint64 imageId, qint64 userId);
    /// A user was added or changed (role, name, active).
    void usersChanged(qint64 userId);
    /// Images were added (an import).
    void imagesAdded();
    /// A QA lead's decision on the image changed.
    void adjudicationsChanged(qint64 imageId);
    /// After each of the above (and for payloads of a newer program): something changed.
    void changed();

private:
    void onNotification(const QString &name, const QVariant &payload);

    QString m_connection;
    QStringList m_channels;
    bool m_staff = false;
    bool m_active = false;
    QString m_error;
};

} // namespace dl
