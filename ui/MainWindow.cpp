// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"
namespace dl {
MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent) { setWindowTitle(tr("DermLabel")); }
}
