// SPDX-License-Identifier: GPL-3.0-or-later
// core/base: guarded() and failureMessage(), used around every dermlabel-cli command and the core
// work the workstation runs on other threads.
#include "base/Guarded.h"

#include <QTest>

#include <opencv2/core.hpp>

#include <new>
#include <stdexcept>

using namespace Qt::StringLiterals;
using dl::guarded;

class TestBase : public QObject
{
    Q_OBJECT

private slots:
    void resultPassesThrough();
    void failuresBecomeMessages_data();
    void failuresBecomeMessages();
    void realOpenCvAllocationFailure();
};

void TestBase::resultPassesThrough()
{
    int failures = 0;
    const int value = guarded([] { return 42; }, [&](const QString &) { return ++failures, -1; });
    QCOMPARE(value, 42);
    QCOMPARE(failures, 0);
}

void TestBase::failuresBecomeMessages_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("bad_alloc") << 0 << u"not enough memory"_s;
    QTest::newRow("cv::Exception") << 1 << u"image processing library reported an error"_s;
    QTest::newRow("cv::Exception out of memory") << 2 << u"not enough memory"_s;
    QTest::newRow("std::runtime_error") << 3 << u"unexpected error stopped this operation; nothing more was done: boom"_s;
    QTest::newRow("not a std::exception") << 4 << u"unexpected error stopped this operation"_s;
}

void TestBase::failuresBecomeMessages()
{
    QFETCH(int, kind);
    QFETCH(QString, expected);
    QString message;
    const int exitCode = guarded(
        [&]() -> int {
            switch (kind) {
            case 0:
                throw std::bad_alloc();
            case 1:
                throw cv::Exception(cv::Error::StsBadArg, "bad argument", "f", "file.cpp", 1);
            case 2:
                throw cv::Exception(cv::Error::StsNoMem, "Failed to allocate", "f", "file.cpp", 1);
            case 3:
                throw std::runtime_error("boom");
            default:
                throw 7;
            }
        },
        [&](const QString &why) {
            message = why;
            return 2;
        });
    QCOMPARE(exitCode, 2);
    QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
}

// What the interchange bombs ended in before: OpenCV refusing a terabyte.
void TestBase::realOpenCvAllocationFailure()
{
    QString message;
    const bool done = guarded(
        [] {
            const cv::Mat huge = cv::Mat::zeros(1'000'000, 1'000'000, CV_8UC1);
            return !huge.empty();
        },
        [&](const QString &why) { return message = why, false; });
    QVERIFY(!done);
    QVERIFY2(!message.isEmpty(), "no message");
}

QTEST_GUILESS_MAIN(TestBase)
#include "tst_base.moc"
