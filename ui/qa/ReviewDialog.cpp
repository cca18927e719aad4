// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/ReviewDialog.h"

#include "annotation/AnnotationService.h"
#include "auth/Permissions.h"
#include "base/Guarded.h"
#include "imaging/ImageDecoder.h"
#include "masks/MaskLayer.h"
#include "masks/MaskOverlay.h"
#include "masks/MaskService.h"
#include "qa/ConsensusService.h"
#include "qa/LabelFields.h"
#include "qa/MaskAgreement.h"
#include "qa/MaskConsensus.h"
#include "qa/ReviewCanvas.h"
#include "qa/ReviewTableModel.h"
#include "qa/ValueText.h"
#include "release/FaceCheck.h"
#include "session/ImageService.h"
#include "session/SessionService.h"
#include "taxonomy/Taxonomy.h"

#include <QComboBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHash>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMap>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/core.hpp>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr int MaxOverlaySide = 2048; // overlays are scaled down to at most this many pixels a side

/// What the background load of an image returns.
struct Picture
{
    QImage image;
    QString error;
    QList<ReviewCanvas::Overlay> overlays;
    QList<QColor> colours; ///< per overlay, for the list's swatches
    QStringList scores;    ///< Dice / IoU and STAPLE lines
};

QColor raterColour(int index)
{
    static const QList<QColor> colours {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73),
                                        QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9), QColor(0xd5, 0x5e, 0x00)};
    return colours.at(index % colours.size());
}

QString number(double value)
{
    return QString::number(value, 'f', 2);
}

Picture readPicture(Store *store, const User &user, qint64 imageId, const QList<ReviewTableModel::Rater> &raters)
{
    Picture result;
    QString error;
    // On a team store the file may first come from the server, here on the worker thread.
    const QString local = ImageService(*store).localFile(imageId, &error);
    if (!local.isEmpty())
        result.image = ImageDecoder::decodeFile(local, &error);
    if (result.image.isNull())
        result.error = error;

    // Each rater's masks, by layer.
    struct Drawn
    {
        int rater;
        cv::Mat mask;
    };
    QMap<QString, QList<Drawn>> layers;
    QSize maskSize;
    MaskService masks(*store, user);
    for (int r = 0; r < raters.size(); ++r) {
        auto document = masks.open(imageId, raters.at(r).userId, &error);
        if (!document)
            continue;
        for (const QString &id : document->layerIds()) {
            if (!document->hasPixels(id))
                continue;
            cv::Mat mask = document->maskIfAllocated(id);
            if (cv::countNonZero(mask) == 0)
                continue;
            layers[id].append({r, mask});
            maskSize = document->size();
        }
    }
    if (layers.isEmpty())
        return result;
    const double scale = std::min(1.0, double(MaxOverlaySide) / std::max(maskSize.width(), maskSize.height()));
    const Taxonomy &taxonomy = Taxonomy::builtin();
    auto overlayOf = [&](const cv::Mat &mask, const MaskLayer &style) {
        MaskOverlay overlay(maskSize, scale);
        overlay.update(mask, style, cv::Rect(0, 0, maskSize.width(), maskSize.height()));
        return overlay.image();
    };
    auto raterName = [&](int r) {
        return raters.at(r).displayName.isEmpty() ? raters.at(r).name : raters.at(r).displayName;
    };

    for (auto it = layers.cbegin(); it != layers.cend(); ++it) {
        const MaskLayer base(it.key());
        const QString layerName = base.displayName(&taxonomy);
        for (const Drawn &d : *it) {
            MaskLayer style(it.key());
            style.setColour(raterColour(d.rater));
            style.setOutlineOnly(true);
            style.setOpacity(1.0);
            result.overlays.append({ReviewDialog::tr("%1: %2").arg(raterName(d.rater), layerName),
                                    overlayOf(d.mask, style), maskSize, true});
            result.colours.append(style.colour());
        }
        if (it->size() < 2)
            continue;
        QList<cv::Mat> drawn;
        for (const Drawn &d : *it)
            drawn.append(d.mask);
        // Pairwise overlap.
        for (int a = 0; a < it->size(); ++a) {
            for (int b = a + 1; b < it->size(); ++b) {
                const auto dice = MaskAgreement::dice(drawn.at(a), drawn.at(b));
                const auto iou = MaskAgreement::iou(drawn.at(a), drawn.at(b));
                if (dice && iou)
                    result.scores.append(ReviewDialog::tr("%1 \u2014 %2 / %3: Dice %4, IoU %5")
                                             .arg(layerName, raterName(it->at(a).rater), raterName(it->at(b).rater),
                                                  number(*dice), number(*iou)));
            }
        }
        // Consensus masks, off until asked for.
        MaskLayer consensusStyle(it.key());
        consensusStyle.setOpacity(0.45);
        if (const auto majority = MaskConsensus::majority(drawn)) {
            result.overlays.append({ReviewDialog::tr("Majority of %1: %2").arg(drawn.size()).arg(layerName),
                                    overlayOf(*majority, consensusStyle), maskSize, false});
            result.colours.append(consensusStyle.colour());
        }
        if (const auto staple = MaskConsensus::staple(drawn)) {
            result.overlays.append({ReviewDialog::tr("STAPLE: %1").arg(layerName),
                                    overlayOf(staple->mask, consensusStyle), maskSize, false});
            result.colours.append(consensusStyle.colour().darker(130));
            QStringList performance;
            for (int k = 0; k < staple->raters.size(); ++k)
                performance.append(ReviewDialog::tr("%1 sensitivity %2, specificity %3")
                                       .arg(raterName(it->at(k).rater), number(staple->raters.at(k).sensitivity),
                                            number(staple->raters.at(k).specificity)));
            result.scores.append(ReviewDialog::tr("%1 \u2014 STAPLE: %2").arg(layerName, performance.join(u"; "_s)));
        }
    }
    return result;
}

} // namespace

ReviewDialog::ReviewDialog(Store &store, const User &user, QWidget *parent)
    : QDialog(parent), m_store(store), m_user(user)
{
    setWindowTitle(tr("Review"));
    setSizeGripEnabled(true);

    m_header = new QLabel(this);
    m_header->setTextFormat(Qt::RichText);

    // The face check's flag, when the image has one.
    m_faceBar = new QWidget(this);
    m_faceBar->setObjectName(u"faceBar"_s);
    m_faceBar->setAttribute(Qt::WA_StyledBackground);
    m_faceBar->setStyleSheet(u"QWidget#faceBar { background: #fff3cd; border: 1px solid #e0b84c; border-radius: 3px; }"
                             " QWidget#faceBar QLabel { color: #5c4400; }"_s);
    m_faceText = new QLabel(m_faceBar);
    m_faceText->setTextFormat(Qt::RichText);
    m_faceText->setWordWrap(true);
    m_confirmFace = new QPushButton(tr("Confirm &Face"), m_faceBar);
    m_confirmFace->setToolTip(tr("A face shows: the image needs an identifying face region to be exported"));
    m_dismissFace = new QPushButton(tr("&Not a Face"), m_faceBar);
    m_dismissFace->setToolTip(tr("The check was wrong: the flag no longer holds the image back"));
    for (QPushButton *button : {m_confirmFace, m_dismissFace})
        button->setAutoDefault(false);
    connect(m_confirmFace, &QPushButton::clicked, this, [this] { resolveFace(true); });
    connect(m_dismissFace, &QPushButton::clicked, this, [this] { resolveFace(false); });
    auto *faceLayout = new QHBoxLayout(m_faceBar);
    faceLayout->setContentsMargins(8, 4, 8, 4);
    faceLayout->addWidget(m_faceText, 1);
    faceLayout->addWidget(m_confirmFace);
    faceLayout->addWidget(m_dismissFace);
    m_faceBar->hide();

    // Left: the image and its masks.
    m_canvas = new ReviewCanvas(this);
    m_canvas->setMinimumSize(360, 300);
    m_canvasStatus = new QLabel(this);
    m_overlayList = new QListWidget(this);
    m_overlayList->setMaximumHeight(110);
    connect(m_overlayList, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        m_canvas->setOverlayVisible(m_overlayList->row(item), item->checkState() == Qt::Checked);
    });
    m_maskScores = new QLabel(this);
    m_maskScores->setWordWrap(true);
    m_maskScores->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_canvas, 1);
    leftLayout->addWidget(m_canvasStatus);
    leftLayout->addWidget(new QLabel(tr("<b>Masks</b> (tick to show)"), left));
    leftLayout->addWidget(m_overlayList);
    leftLayout->addWidget(m_maskScores);

    // Right: the labels side by side and the adjudication panel.
    m_model = new ReviewTableModel(this);
    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        const QString field = current.siblingAtColumn(0).data(ReviewTableModel::FieldRole).toString();
        if (ReviewTableModel::isAdjudicable(field)) {
            const int index = m_field->findData(field);
            if (index >= 0)
                m_field->setCurrentIndex(index);
        }
    });

    m_field = new QComboBox(this);
    for (const QString &field : m_model->fields()) {
        if (ReviewTableModel::isAdjudicable(field))
            m_field->addItem(LabelFields::displayName(field), field);
    }
    m_value = new QComboBox(this);
    m_value->setMinimumContentsLength(18);
    m_value->setPlaceholderText(tr("Choose the value\u2026"));
    m_reason = new QLineEdit(this);
    m_reason->setPlaceholderText(tr("Required: why this value (recorded in the audit log)"));
    m_reason->setClearButtonEnabled(true);
    m_apply = new QPushButton(tr("&Apply"), this);
    m_apply->setAutoDefault(false);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    connect(m_field, &QComboBox::currentIndexChanged, this, &ReviewDialog::fillValues);
    connect(m_value, &QComboBox::currentIndexChanged, this, &ReviewDialog::updateApply);
    connect(m_reason, &QLineEdit::textChanged, this, &ReviewDialog::updateApply);
    connect(m_reason, &QLineEdit::returnPressed, this, [this] {
        if (m_apply->isEnabled())
            apply();
    });
    connect(m_apply, &QPushButton::clicked, this, &ReviewDialog::apply);

    auto *panel = new QGroupBox(tr("Adjudicate"), this);
    auto *form = new QFormLayout(panel);
    form->addRow(tr("&Field:"), m_field);
    form->addRow(tr("&Value:"), m_value);
    auto *reasonRow = new QHBoxLayout;
    reasonRow->addWidget(m_reason, 1);
    reasonRow->addWidget(m_apply);
    auto *reasonLabel = new QLabel(tr("&Reason:"), panel);
    reasonLabel->setBuddy(m_reason);
    form->addRow(reasonLabel, reasonRow);
    form->addRow(m_message);
    const bool mayAdjudicate = Permissions::allows(m_user.role, Action::Adjudicate);
    panel->setEnabled(mayAdjudicate);
    if (!mayAdjudicate)
        panel->setToolTip(tr("Only QA leads and admins settle disagreements."));

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_table, 1);
    rightLayout->addWidget(panel);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({4000, 6000});
    splitter->setChildrenCollapsible(false);

    auto *close = new QPushButton(tr("Close"), this);
    close->setAutoDefault(false);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    auto *previous = new QPushButton(tr("\u2190 Previous (PgUp)"), this);
    auto *next = new QPushButton(tr("Next (PgDown) \u2192"), this);
    previous->setAutoDefault(false);
    next->setAutoDefault(false);
    connect(previous, &QPushButton::clicked, this, &ReviewDialog::previousDisagreement);
    connect(next, &QPushButton::clicked, this, &ReviewDialog::nextDisagreement);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(previous);
    buttons->addWidget(next);
    buttons->addStretch(1);
    buttons->addWidget(close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(m_faceBar);
    layout->addWidget(splitter, 1);
    layout->addLayout(buttons);

    // Page keys step through the queue wherever the focus is (the table would scroll with them).
    auto *nextKey = new QShortcut(QKeySequence(Qt::Key_PageDown), this);
    auto *previousKey = new QShortcut(QKeySequence(Qt::Key_PageUp), this);
    connect(nextKey, &QShortcut::activated, this, &ReviewDialog::nextDisagreement);
    connect(previousKey, &QShortcut::activated, this, &ReviewDialog::previousDisagreement);

    fillValues();
}

ReviewDialog::~ReviewDialog()
{
    // The loads read the store: let them finish first.
    if (m_loading)
        m_stale.append(m_loading);
    for (QFutureWatcherBase *watcher : std::as_const(m_stale)) {
        watcher->disconnect(this);
        watcher->waitForFinished();
    }
}

void ReviewDialog::setQueue(const QList<ReviewItem> &queue)
{
    m_queue = queue;
    m_position = -1;
    for (int i = 0; i < m_queue.size(); ++i) {
        if (m_queue.at(i).imageId == m_imageId) {
            m_position = i;
            break;
        }
    }
    updateHeader();
}

bool ReviewDialog::showImage(qint64 imageId, const QString &field)
{
    m_imageId = imageId;
    m_position = -1;
    for (int i = 0; i < m_queue.size(); ++i) {
        const ReviewItem &item = m_queue.at(i);
        if (item.imageId == imageId && (field.isEmpty() || item.field == field)) {
            m_position = i;
            break;
        }
    }
    m_message->clear();
    m_reason->clear();
    if (!loadLabels()) {
        m_canvas->clear();
        m_canvas->setOverlays({});
        m_canvas->setMarkedRegions({});
        m_faceBar->hide();
        m_overlayList->clear();
        m_maskScores->clear();
        showMessage(m_error, true);
        updateHeader();
        return false;
    }
    loadPicture();
    updateFaceFlag();
    if (!field.isEmpty())
        selectField(field);
    else if (m_model->rowCount() > 0)
        m_table->selectRow(0);
    updateHeader();
    return true;
}

bool ReviewDialog::loadLabels()
{
    m_error.clear();
    QString error;
    const auto annotations = AnnotationService(m_store, m_user).all(m_imageId, &error);
    ConsensusService consensus(m_store, m_user);
    const auto rows = annotations ? consensus.forImage(m_imageId, &error) : std::nullopt;
    const auto differential = rows ? consensus.differential(m_imageId, &error) : std::nullopt;
    const auto image = differential ? ImageService(m_store).find(m_imageId, &error) : std::nullopt;
    const auto users = image ? SessionService(m_store).users(m_user, &error) : std::nullopt;
    if (!users) {
        m_error = error.isEmpty() ? tr("No such image.") : error;
        m_model->setReview({}, {}, {}, {});
        return false;
    }
    m_imageName = image->publicId;

    // Raters by user name, their annotations in the same order.
    QHash<qint64, User> usersById;
    for (const User &user : *users)
        usersById.insert(user.id, user);
    QList<std::pair<ReviewTableModel::Rater, Annotation>> byRater;
    for (const Annotation &a : *annotations) {
        const auto user = usersById.constFind(a.userId);
        const bool known = user != usersById.cend();
        ReviewTableModel::Rater rater {a.userId, known ? user->name : QString::number(a.userId),
                                       known ? user->displayName : QString()};
        byRater.append({rater, a});
    }
    std::sort(byRater.begin(), byRater.end(), [](const auto &x, const auto &y) { return x.first.name < y.first.name; });
    QList<ReviewTableModel::Rater> raters;
    QList<Annotation> labels;
    for (const auto &[rater, a] : std::as_const(byRater)) {
        raters.append(rater);
        labels.append(a);
    }
    const QString selected = m_table->currentIndex().siblingAtColumn(0).data(ReviewTableModel::FieldRole).toString();
    m_model->setReview(raters, labels, *rows, *differential);
    for (int c = 1; c < m_model->columnCount(); ++c)
        m_table->horizontalHeader()->resizeSection(c, c == m_model->consensusColumn() ? 180 : 130);
    m_table->resizeColumnToContents(0);
    if (!selected.isEmpty())
        m_table->selectRow(m_model->rowOf(selected));
    fillValues();
    return true;
}

void ReviewDialog::updateFaceFlag()
{
    QString error;
    const auto flag = FaceCheck(m_store, m_user).flag(m_imageId, &error);
    if (!flag || flag->imageId < 0) {
        m_canvas->setMarkedRegions({});
        m_faceBar->hide();
        return;
    }
    const bool open = flag->status == u"open"_s;
    m_canvas->setMarkedRegions(flag->status == u"dismissed"_s ? QList<QRect>() : flag->faces);
    const QString regions = flag->faces.size() == 1 ? tr("1 region") : tr("%1 regions").arg(flag->faces.size());
    if (open)
        m_faceText->setText(tr("<b>Possible face</b> found by the face check (%1, dashed on the image). Held back from "
                               "export until confirmed or dismissed.")
                                .arg(regions));
    else if (flag->status == u"confirmed"_s)
        m_faceText->setText(tr("<b>Face confirmed.</b> The image is exported only with a face region marked as "
                               "identifying (redacted)."));
    else
        m_faceText->setText(tr("<b>Face flag dismissed:</b> no face on this image."));
    const bool mayResolve = Permissions::allows(m_user.role, Action::Adjudicate);
    m_confirmFace->setVisible(mayResolve);
    m_dismissFace->setVisible(mayResolve);
    m_confirmFace->setEnabled(flag->status != u"confirmed"_s);
    m_dismissFace->setEnabled(flag->status != u"dismissed"_s);
    m_faceBar->show();
}

bool ReviewDialog::resolveFace(bool confirmed)
{
    QString error;
    if (!FaceCheck(m_store, m_user).resolve(m_imageId, confirmed, &error)) {
        m_error = error;
        showMessage(error, true);
        return false;
    }
    updateFaceFlag();
    emit faceFlagResolved(m_imageId, confirmed);
    return true;
}

void ReviewDialog::loadPicture()
{
    QString error;
    const QString path = ImageService(m_store).filePath(m_imageId, &error);
    if (path.isEmpty())
        return;
    if (m_loading) {
        // A page key pressed while the last image loaded: let that load finish unseen.
        QFutureWatcherBase *stale = m_loading;
        stale->disconnect(this);
        m_stale.append(stale);
        connect(stale, &QFutureWatcherBase::finished, this, [this, stale] {
            m_stale.removeOne(stale);
            stale->deleteLater();
        });
        m_loading = nullptr;
    }
    m_canvas->clear();
    m_canvas->setOverlays({});
    m_overlayList->clear();
    m_maskScores->clear();
    m_canvasStatus->setText(tr("Loading the image\u2026"));

    auto *watcher = new QFutureWatcher<Picture>(this);
    m_loading = watcher;
    Store *store = &m_store;
    const User user = m_user;
    const qint64 imageId = m_imageId;
    const QList<ReviewTableModel::Rater> raters = m_model->raters();
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        const Picture picture = watcher->result();
        watcher->deleteLater();
        m_loading = nullptr;
        if (picture.image.isNull()) {
            m_canvasStatus->setText(tr("The image cannot be shown: %1").arg(picture.error));
        } else {
            m_canvas->setImage(picture.image);
            m_canvasStatus->setText(tr("%1 \u00d7 %2 pixels; wheel zooms, drag pans, F fits")
                                        .arg(picture.image.width())
                                        .arg(picture.image.height()));
        }
        m_canvas->setOverlays(picture.overlays);
        const QSignalBlocker block(m_overlayList);
        for (int i = 0; i < picture.overlays.size(); ++i) {
            QPixmap swatch(12, 12);
            swatch.fill(picture.colours.value(i, Qt::gray));
            auto *item = new QListWidgetItem(QIcon(swatch), picture.overlays.at(i).name, m_overlayList);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(picture.overlays.at(i).visible ? Qt::Checked : Qt::Unchecked);
        }
        if (picture.overlays.isEmpty())
            new QListWidgetItem(tr("No rater drew a mask on this image."), m_overlayList);
        m_maskScores->setText(picture.scores.join(u'\n'));
        m_maskScores->setVisible(!picture.scores.isEmpty());
        emit imageLoaded();
    });
    watcher->setFuture(QtConcurrent::run([store, user, imageId, raters] {
        return guarded([&] { return readPicture(store, user, imageId, raters); },
            [](const QString &message) {
                Picture failed;
                failed.error = message;
                return failed;
            });
    }));
}

bool ReviewDialog::selectField(const QString &field)
{
    const int row = m_model->rowOf(field);
    if (row < 0)
        return false;
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0));
    const int index = m_field->findData(field);
    if (index >= 0)
        m_field->setCurrentIndex(index);
    return true;
}

void ReviewDialog::fillValues()
{
    const QString field = m_field->currentData().toString();
    const FieldConsensus *current = m_model->consensus(field);
    const QSignalBlocker block(m_value);
    m_value->clear();
    QStringList values;
    if (field == u"diagnosis"_s) {
        values = m_model->namedConditions();
        if (current && !current->value.isEmpty() && !values.contains(current->value))
            values.append(current->value);
        values.append(LabelFields::cannotDetermine());
    } else {
        values = ValueText::choices(field);
    }
    for (const QString &value : std::as_const(values))
        m_value->addItem(ValueText::display(field, value), value);
    // Start from the current value when there is one, else from nothing: the QA lead chooses.
    m_value->setCurrentIndex(current ? m_value->findData(current->value) : -1);
    updateApply();
}

void ReviewDialog::updateApply()
{
    m_apply->setEnabled(m_imageId >= 0 && m_value->currentIndex() >= 0 && !m_reason->text().trimmed().isEmpty());
}

bool ReviewDialog::apply()
{
    const QString field = m_field->currentData().toString();
    const QString value = m_value->currentData().toString();
    QString error;
    if (!ConsensusService(m_store, m_user).adjudicate(m_imageId, field, value, m_reason->text(), &error)) {
        m_error = error;
        showMessage(error, true);
        return false;
    }
    m_error.clear();
    loadLabels();
    selectField(field);
    m_reason->clear();
    showMessage(tr("%1 settled as %2.").arg(LabelFields::displayName(field), ValueText::display(field, value)), false);
    updateHeader();
    emit adjudicated(m_imageId, field);
    return true;
}

void ReviewDialog::goTo(int position)
{
    if (position < 0 || position >= m_queue.size())
        return;
    const ReviewItem item = m_queue.at(position);
    if (item.imageId == m_imageId && m_error.isEmpty()) {
        m_position = position;
        selectField(item.field);
        updateHeader();
        return;
    }
    showImage(item.imageId, item.field);
    m_position = position;
    updateHeader();
}

void ReviewDialog::nextDisagreement()
{
    goTo(m_position + 1);
}

void ReviewDialog::previousDisagreement()
{
    goTo(m_position < 0 ? 0 : m_position - 1);
}

void ReviewDialog::updateHeader()
{
    int open = 0;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->level(row) == ReviewTableModel::Open)
            ++open;
    }
    const qsizetype raters = m_model->raters().size();
    QString text = u"<b>%1</b> \u00b7 "_s.arg(m_imageName.toHtmlEscaped())
        + (raters == 1 ? tr("1 rater") : tr("%1 raters").arg(raters)) + u" \u00b7 "_s
        + (open == 0 ? tr("nothing open") : open == 1 ? tr("1 field open") : tr("%1 fields open").arg(open));
    if (!m_queue.isEmpty()) {
        text += u" \u00b7 "_s
            + (m_position >= 0 ? tr("disagreement %1 of %2 (Page Down: next, Page Up: previous)")
                                     .arg(m_position + 1)
                                     .arg(m_queue.size())
                               : tr("not in the disagreement list"));
    }
    m_header->setText(text);
    setWindowTitle(tr("Review %1").arg(m_imageName));
}

void ReviewDialog::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? u"QLabel { color: #b71c1c; }"_s : u"QLabel { color: #1b5e20; }"_s);
}

} // namespace dl
