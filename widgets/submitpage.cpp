#include "submitpage.h"

#include "jobform.h"
#include "loadgeneratorpanel.h"
#include "runtime.h"
#include "uploadpanel.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QVBoxLayout>

namespace qd {

SubmitPage::SubmitPage(Runtime *runtime, QWidget *parent)
    : QWidget(parent)
    , m_form(new JobForm(runtime))
    , m_uploads(new UploadPanel(runtime))
    , m_load(new LoadGeneratorPanel(runtime))
    , m_defaultQueue(runtime->options().defaultQueue)
{
    setObjectName(QStringLiteral("submitPage"));
    auto *formBox = new QGroupBox(tr("Send one job"), this);
    (new QVBoxLayout(formBox))->addWidget(m_form);
    auto *loadBox = new QGroupBox(tr("Load generator"), this);
    (new QVBoxLayout(loadBox))->addWidget(m_load);
    auto *uploadBox = new QGroupBox(tr("Upload images"), this);
    (new QVBoxLayout(uploadBox))->addWidget(m_uploads);

    auto *left = new QVBoxLayout;
    left->addWidget(formBox);
    left->addWidget(loadBox);
    left->addStretch();
    auto *layout = new QHBoxLayout(this);
    layout->addLayout(left, 2);
    layout->addWidget(uploadBox, 3);

    connect(m_form, &JobForm::openMessageRequested, this, &SubmitPage::openMessageRequested);
    connect(m_uploads, &UploadPanel::openMessageRequested, this, &SubmitPage::openMessageRequested);
    connect(m_uploads, &UploadPanel::allFinished, this, &SubmitPage::uploadsFinished);
    connect(m_form, &JobForm::targetChanged, m_uploads, &UploadPanel::setTarget);
    connect(runtime, &Runtime::snapshot, this, &SubmitPage::setSnapshot);
    // Until the first snapshot, the queue every runtime has.
    setSnapshot({});
    m_uploads->setTarget(m_form->queue(), m_form->userId());
}

void SubmitPage::addPaths(const QStringList &paths)
{
    m_uploads->addPaths(paths);
}

bool SubmitPage::addFromMime(const QMimeData *mime)
{
    return m_uploads->addFromMime(mime);
}

void SubmitPage::setSnapshot(const QList<QueueSnapshot> &queues)
{
    QStringList names;
    for (const QueueSnapshot &q : queues)
        names.append(q.name);
    if (names.isEmpty())
        names.append(m_form->queue().isEmpty() ? m_defaultQueue : m_form->queue());
    names.sort();
    m_form->setQueues(names);
    m_load->setQueues(names);
}

} // namespace qd
