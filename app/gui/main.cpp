// SPDX-License-Identifier: GPL-3.0-or-later
#include <QApplication>
#include "MainWindow.h"
int main(int argc, char **argv) { QApplication app(argc, argv); dl::MainWindow w; w.show(); return app.exec(); }
