#include "bulkprogress.h"

#include "operatoractions.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>

#include <climits>

namespace qd {

BulkProgress::BulkProgress(OperatorActions *actions, QWidget *parent)
    : QWidget(parent)
    , m_actions(actions)
    , m_bar(new QProgressBar(this))
    , m_label(new QLabel(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(QStringLiteral("bulkProgress"));
    m_cancel->setObjectName(QStringLiteral("cancelBulk"));
    m_bar->setTextVisible(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_bar, 1);
    layout->addWidget(m_cancel);
    hide();
    connect(m_actions, &OperatorActions::bulkStarted, this, [this](qint64 operation, qint64 total) {
        if (!m_expecting)
            return;
        m_expecting = false;
        m_operation = operation;
        m_bar->setRange(0, total > 0 ? int(std::min<qint64>(total, INT_MAX)) : 0);
        m_bar->setValue(0);
        m_label->setText(tr("Retrying…"));
        m_cancel->setEnabled(true);
        show();
    });
    connect(
        m_actions, &OperatorActions::bulkProgress, this, [this](qint64 operation, qint64 done, qint64 total) {
            if (operation != m_operation)
                return;
            m_bar->setRange(0, int(std::min<qint64>(total, INT_MAX)));
            m_bar->setValue(int(std::min<qint64>(done, INT_MAX)));
            m_label->setText(
                tr("Retrying %1 of %2").arg(QLocale().toString(done), QLocale().toString(total)));
        });
    connect(m_actions, &OperatorActions::bulkFinished, this,
        [this](qint64 operation, qint64 done, qint64 total, bool cancelled) {
            if (operation != m_operation)
                return;
            m_operation = 0;
            hide();
            emit finished(done, total, cancelled);
        });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_operation == 0)
            return;
        m_cancel->setEnabled(false);
        m_label->setText(tr("Cancelling…"));
        m_actions->cancelBulk(m_operation);
    });
}

} // namespace qd
