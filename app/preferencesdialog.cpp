#include "preferencesdialog.h"

#include "runtime.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace qd {

namespace {

const QString kDataDirKey = QStringLiteral("runtime/dataDir");
const QString kPortKey = QStringLiteral("runtime/port");
const QString kTokenKey = QStringLiteral("runtime/token");
const QString kRangeKey = QStringLiteral("preferences/chartRange");
const QString kNotifyKey = QStringLiteral("failures/notify");
const QString kThresholdKey = QStringLiteral("failures/alertThreshold");

QLabel *restartNote(QWidget *parent)
{
    auto *note = new QLabel(PreferencesDialog::tr("Takes effect the next time QueueDeck starts."), parent);
    note->setObjectName(QStringLiteral("restartNote"));
    QFont small = note->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    note->setFont(small);
    note->setForegroundRole(QPalette::PlaceholderText);
    return note;
}

// Whether `--name` was given, as "--name VALUE" or "--name=VALUE".
bool given(const QStringList &arguments, const QString &name)
{
    const QString option = QStringLiteral("--") + name;
    for (const QString &a : arguments) {
        if (a == option || a.startsWith(option + QLatin1Char('=')))
            return true;
    }
    return false;
}

} // namespace

void applyPreferences(RuntimeOptions *options, const QStringList &arguments)
{
    const Preferences p = Preferences::load();
    if (!given(arguments, QStringLiteral("data-dir")) && !p.dataDir.isEmpty())
        options->dataDir = p.dataDir;
    if (!given(arguments, QStringLiteral("port")))
        options->port = quint16(p.port);
    if (!given(arguments, QStringLiteral("token")) && !p.token.isEmpty())
        options->token = p.token;
}

Preferences Preferences::load()
{
    QSettings s;
    Preferences p;
    p.theme = savedTheme();
    p.dataDir = s.value(kDataDirKey).toString();
    p.port = s.value(kPortKey, 8787).toInt();
    p.token = s.value(kTokenKey).toString();
    p.chartRange = s.value(kRangeKey, 0).toInt();
    p.notify = s.value(kNotifyKey, true).toBool();
    p.alertThreshold = s.value(kThresholdKey, 100).toLongLong();
    return p;
}

void Preferences::save() const
{
    QSettings s;
    saveTheme(theme);
    s.setValue(kDataDirKey, dataDir);
    s.setValue(kPortKey, port);
    s.setValue(kTokenKey, token);
    s.setValue(kRangeKey, chartRange);
    s.setValue(kNotifyKey, notify);
    s.setValue(kThresholdKey, alertThreshold);
}

PreferencesDialog::PreferencesDialog(
    const Preferences &current, const QStringList &chartRanges, QWidget *parent)
    : QDialog(parent)
    , m_theme(new QComboBox(this))
    , m_dataDir(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_token(new QLineEdit(this))
    , m_chartRange(new QComboBox(this))
    , m_notify(new QCheckBox(tr("Tell the desktop when failures pile up"), this))
    , m_threshold(new QSpinBox(this))
{
    setObjectName(QStringLiteral("preferences"));
    setWindowTitle(tr("Preferences"));
    m_theme->setObjectName(QStringLiteral("theme"));
    for (Theme t : { Theme::System, Theme::Light, Theme::Dark })
        m_theme->addItem(themeName(t), int(t));
    m_theme->setCurrentIndex(m_theme->findData(int(current.theme)));
    m_dataDir->setObjectName(QStringLiteral("dataDir"));
    m_dataDir->setText(current.dataDir);
    m_dataDir->setPlaceholderText(tr("the application data folder"));
    m_dataDir->setClearButtonEnabled(true);
    auto *browse = new QPushButton(tr("&Browse…"), this);
    m_port->setObjectName(QStringLiteral("port"));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any free port"));
    m_port->setValue(current.port);
    m_token->setObjectName(QStringLiteral("token"));
    m_token->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    m_token->setPlaceholderText(tr("none: no Authorization header needed"));
    m_token->setText(current.token);
    m_chartRange->setObjectName(QStringLiteral("chartRange"));
    m_chartRange->addItems(chartRanges);
    m_chartRange->setCurrentIndex(std::clamp(current.chartRange, 0, int(chartRanges.size()) - 1));
    m_notify->setObjectName(QStringLiteral("notify"));
    m_notify->setChecked(current.notify);
    m_threshold->setObjectName(QStringLiteral("alertThreshold"));
    m_threshold->setRange(1, 1'000'000);
    m_threshold->setValue(int(std::min<qint64>(current.alertThreshold, 1'000'000)));
    m_threshold->setSuffix(tr(" failed messages"));
    m_threshold->setEnabled(current.notify);

    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_dataDir, 1);
    dirRow->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(tr("&Appearance:"), m_theme);
    form->addRow(tr("Chart &range:"), m_chartRange);
    form->addRow(QString(), m_notify);
    form->addRow(tr("Notify &after:"), m_threshold);
    form->addRow(QString(), restartNote(this));
    form->addRow(tr("&Data folder:"), dirRow);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(QString(), restartNote(this));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Data folder"), m_dataDir->text());
        if (!dir.isEmpty())
            m_dataDir->setText(dir);
    });
    connect(m_notify, &QCheckBox::toggled, m_threshold, &QWidget::setEnabled);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

Preferences PreferencesDialog::preferences() const
{
    Preferences p;
    p.theme = Theme(m_theme->currentData().toInt());
    p.dataDir = m_dataDir->text().trimmed();
    p.port = m_port->value();
    p.token = m_token->text();
    p.chartRange = m_chartRange->currentIndex();
    p.notify = m_notify->isChecked();
    p.alertThreshold = m_threshold->value();
    return p;
}

} // namespace qd
