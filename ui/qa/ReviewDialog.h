// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QDialog>
#include <QList>
#include <QString>

class QComboBox;
class QFutureWatcherBase;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableView;

namespace dl {

class ReviewCanvas;
class ReviewTableModel;
class Store;

/// One disagreement to review: a field of an image.
struct ReviewItem
{
    qint64 imageId = -1;
    QString imageName;
    QString field;
};

/// Side-by-side review of one image for a QA lead: the image (decoded off the UI thread) with
/// each rater's region masks as overlays that can be switched on and off (plus their majority
/// and STAPLE consensus, with Dice and IoU between raters), and every rater's labels in
/// columns next to the consensus. A field is settled from here: choose the value, give the
/// required reason, Apply (ConsensusService::adjudicate); the row updates. An image the face
/// check flagged shows its possible faces as dashed boxes and a bar to confirm or dismiss the flag.
///
/// Keys: Page Down / Page Up step to the next / previous disagreement of the queue, Escape
/// closes.
class ReviewDialog : public QDialog
{
    Q_OBJECT

public:
    ReviewDialog(Store &store, const User &user, QWidget *parent = nullptr);
    ~ReviewDialog() override;

    /// The disagreements Page Down / Page Up step through, in order.
    void setQueue(const QList<ReviewItem> &queue);
    const QList<ReviewItem> &queue() const { return m_queue; }
    /// Position of the current item in the queue (-1 when the image is not in it).
    int queuePosition() const { return m_position; }

    /// Shows an image (labels at once, picture and masks in the background) and selects
    /// `field`'s row. False with errorString() when the labels cannot be read (an annotator,
    /// an unknown image).
    bool showImage(qint64 imageId, const QString &field = {});
    qint64 imageId() const { return m_imageId; }
    QString errorString() const { return m_error; }
    /// True while the picture and masks are being loaded.
    bool isLoading() const { return m_loading != nullptr; }

    /// Selects a field's row and puts it in the adjudication panel.
    bool selectField(const QString &field);
    /// Settles the chosen field with the chosen value and reason (what Apply does). False with
    /// errorString() when ConsensusService refuses (no reason, not allowed, ...).
    bool apply();

    ReviewTableModel *model() const { return m_model; }
    ReviewCanvas *canvas() const { return m_canvas; }
    QTableView *table() const { return m_table; }
    QComboBox *fieldSelector() const { return m_field; }
    QComboBox *valueSelector() const { return m_value; }
    QLineEdit *reasonEdit() const { return m_reason; }
    QPushButton *applyButton() const { return m_apply; }
    QListWidget *overlayList() const { return m_overlayList; }
    QLabel *maskScores() const { return m_maskScores; }
    /// The face-check notice with its Confirm / Not a face buttons (hidden without a flag).
    QWidget *faceBar() const { return m_faceBar; }
    QLabel *faceText() const { return m_faceText; }

    /// Settles the current image's face flag: a face is there (it must then be marked as
    /// identifying to be redacted) or not. False with errorString() when refused.
    bool resolveFace(bool confirmed);

public slots:
    void nextDisagreement();
    void previousDisagreement();

signals:
    /// A field of an image was settled.
    void adjudicated(qint64 imageId, const QString &field);
    /// The picture and masks of the current image are shown.
    void imageLoaded();
    /// A face flag was confirmed or dismissed.
    void faceFlagResolved(qint64 imageId, bool confirmed);

private:
    bool loadLabels();
    void loadPicture();
    void fillValues();
    void updateApply();
    void updateHeader();
    void goTo(int position);
    void showMessage(const QString &text, bool error);
    void updateFaceFlag();

    Store &m_store;
    User m_user;
    qint64 m_imageId = -1;
    QString m_imageName;
    QString m_error;
    QList<ReviewItem> m_queue;
    int m_position = -1;
    QFutureWatcherBase *m_loading = nullptr;
    QList<QFutureWatcherBase *> m_stale; ///< loads of images paged past, still running

    QLabel *m_header = nullptr;
    ReviewCanvas *m_canvas = nullptr;
    QLabel *m_canvasStatus = nullptr;
    QListWidget *m_overlayList = nullptr;
    QLabel *m_maskScores = nullptr;
    ReviewTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_field = nullptr;
    QComboBox *m_value = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_apply = nullptr;
    QLabel *m_message = nullptr;
    QWidget *m_faceBar = nullptr;
    QLabel *m_faceText = nullptr;
    QPushButton *m_confirmFace = nullptr;
    QPushButton *m_dismissFace = nullptr;
};

} // namespace dl
