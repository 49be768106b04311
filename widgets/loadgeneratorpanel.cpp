#include "loadgeneratorpanel.h"

#include "loadrunner.h"
#include "producervalidation.h"
#include "runtime.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>

namespace qd {

LoadGeneratorPanel::LoadGeneratorPanel(Runtime *runtime, QWidget *parent)
    : QWidget(parent)
    , m_runtime(runtime)
    , m_runner(new LoadRunner(runtime, this))
    , m_count(new QSpinBox(this))
    , m_rate(new QDoubleSpinBox(this))
    , m_queue(new QComboBox(this))
    , m_samples(
          new QRadioButton(tr("Sample images (%1 shipped)").arg(LoadRunner::sampleResources().size()), this))
    , m_custom(new QRadioButton(tr("These URLs, one a line:"), this))
    , m_urls(new QPlainTextEdit(this))
    , m_badShare(new QSpinBox(this))
    , m_start(new QPushButton(tr("Start"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
{
    m_count->setObjectName(QStringLiteral("loadCount"));
    m_count->setRange(1, 10'000'000);
    m_count->setValue(100);
    m_count->setGroupSeparatorShown(true);
    m_rate->setObjectName(QStringLiteral("loadRate"));
    m_rate->setRange(0.1, 100'000);
    m_rate->setDecimals(1);
    m_rate->setValue(20);
    m_rate->setSuffix(tr(" /s"));
    m_queue->setObjectName(QStringLiteral("loadQueue"));
    m_samples->setChecked(true);
    m_urls->setObjectName(QStringLiteral("loadUrls"));
    m_urls->setPlaceholderText(tr("https://example.com/a.jpg"));
    m_urls->setMaximumHeight(70);
    m_urls->setEnabled(false);
    m_badShare->setObjectName(QStringLiteral("loadBadShare"));
    m_badShare->setRange(0, 100);
    m_badShare->setSuffix(tr(" %"));
    m_badShare->setToolTip(
        tr("This share of the jobs names images that do not exist, so retries and failures show up"));
    m_start->setObjectName(QStringLiteral("loadStart"));
    m_progress->setObjectName(QStringLiteral("loadProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setObjectName(QStringLiteral("loadStatus"));
    m_status->setWordWrap(true);

    auto *rateRow = new QHBoxLayout;
    rateRow->addWidget(m_count);
    rateRow->addWidget(new QLabel(tr("jobs at"), this));
    rateRow->addWidget(m_rate);
    auto *form = new QFormLayout(this);
    form->addRow(tr("Send:"), rateRow);
    form->addRow(tr("To queue:"), m_queue);
    form->addRow(tr("Images:"), m_samples);
    form->addRow(QString(), m_custom);
    form->addRow(QString(), m_urls);
    form->addRow(tr("Bad URLs:"), m_badShare);
    auto *run = new QHBoxLayout;
    run->addWidget(m_start);
    run->addWidget(m_progress, 1);
    form->addRow(run);
    form->addRow(m_status);

    connect(m_custom, &QRadioButton::toggled, m_urls, &QWidget::setEnabled);
    connect(m_start, &QPushButton::clicked, this, &LoadGeneratorPanel::toggle);
    connect(m_runner, &LoadRunner::progress, this, &LoadGeneratorPanel::progress);
    connect(m_runner, &LoadRunner::finished, this, &LoadGeneratorPanel::finished);
}

void LoadGeneratorPanel::setQueues(const QStringList &names)
{
    QStringList current;
    for (int i = 0; i < m_queue->count(); ++i)
        current.append(m_queue->itemText(i));
    if (current == names)
        return;
    const QString chosen = m_queue->currentText();
    m_queue->clear();
    m_queue->addItems(names);
    const int at = m_queue->findText(chosen.isEmpty() ? m_runtime->options().defaultQueue : chosen);
    m_queue->setCurrentIndex(std::max(0, at));
}

void LoadGeneratorPanel::toggle()
{
    if (m_runner->isRunning()) {
        m_runner->stop();
        return;
    }
    LoadPlan plan;
    plan.queue = m_queue->currentText();
    plan.count = m_count->value();
    plan.ratePerSecond = m_rate->value();
    plan.badShare = m_badShare->value() / 100.0;
    if (plan.queue.isEmpty()) {
        m_status->setText(tr("Choose a queue first."));
        return;
    }
    if (m_custom->isChecked()) {
        const QStringList lines = m_urls->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (const QString &line : lines) {
            const QString url = line.trimmed();
            if (url.isEmpty())
                continue;
            // The same rule POST / applies: a URL it would refuse is not sent from here either.
            if (const QString error = validateImageUrl(url, m_runtime->blobBaseUrl()); !error.isEmpty()) {
                m_status->setText(tr("%1: %2").arg(url, error));
                return;
            }
            plan.urls.append(url);
        }
        if (plan.urls.isEmpty() && plan.badShare < 1) {
            m_status->setText(tr("Give at least one URL, or use the sample images."));
            return;
        }
    }
    m_progress->setRange(0, plan.count);
    m_progress->setValue(0);
    m_start->setText(tr("Stop"));
    m_status->setText(tr("Sending %1 jobs at %2 per second to %3…")
                          .arg(plan.count)
                          .arg(plan.ratePerSecond)
                          .arg(plan.queue));
    m_runner->start(plan, m_samples->isChecked());
}

void LoadGeneratorPanel::progress(qint64 sent, qint64 total)
{
    m_progress->setRange(0, int(std::min<qint64>(total, std::numeric_limits<int>::max())));
    m_progress->setValue(int(std::min<qint64>(sent, std::numeric_limits<int>::max())));
}

void LoadGeneratorPanel::finished(qint64 sent, qint64 total, bool stopped, const QString &error)
{
    progress(sent, total);
    m_start->setText(tr("Start"));
    if (!error.isEmpty())
        m_status->setText(tr("Stopped after %1 of %2: %3").arg(sent).arg(total).arg(error));
    else if (stopped)
        m_status->setText(tr("Stopped after %1 of %2 jobs.").arg(sent).arg(total));
    else
        m_status->setText(tr("Sent all %1 jobs.").arg(sent));
}

} // namespace qd
