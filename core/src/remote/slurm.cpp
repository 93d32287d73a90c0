#include "cairn/remote/slurm.h"

#include "cairn/remote/sshconnection.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>

#include <cmath>

namespace cairn::remote {

namespace {

int toInt(const QString &s)
{
    return s.trimmed().toInt();
}

/// Splits "A/B/C/D" (sinfo's %F and %C) into four numbers.
QList<int> slashNumbers(const QString &s)
{
    QList<int> out;
    for (const QString &p : s.split(QLatin1Char('/')))
        out << toInt(p);
    while (out.size() < 4)
        out << 0;
    return out;
}

/// Everything of the cluster the panel and `cairn hosts queue` show, in one round trip.
const char *kOverviewScript = R"SH(
echo "@@sinfo"; sinfo -h -o '%P|%a|%l|%F|%C' 2>&1; echo "@@rc=$?"
echo "@@nodes"; scontrol show node -o 2>&1
echo "@@queue"; squeue -h -o '%i|%u|%T|%r|%P|%D|%C|%M|%l|%R|%j' 2>&1
)SH";

/// A job's state: scontrol while slurmctld remembers it, then sacct where accounting exists.
/// scontrol alone retries for ~18 s when slurmctld is down; a poll must come back sooner.
const char *kJobStateScript = R"SH(
out=$(timeout 5 scontrol show job -o "$1" 2>&1); rc=$?
[ $rc -eq 124 ] && out="Unable to contact slurm controller (no answer within 5 s)"
echo "rc=$rc"; printf '%s\n' "$out" | head -n 1
if [ $rc -ne 0 ] && command -v sacct >/dev/null 2>&1; then echo "@@sacct"; sacct -n -P -X -j "$1" -o State,ExitCode,Reason 2>/dev/null | head -n 1; fi
)SH";

/// The job's folder "$1": the state of job "$2" (as above), the exit code the batch script wrote,
/// then the events from byte "$3" (1-based) after a marker line.
const char *kPollScript = R"SH(
cd -- "$1" 2>/dev/null || { echo "@@gone"; exit 0; }
ev=$3
shift
)SH";
const char *kPollTail = R"SH(
if [ -f exit_code ]; then echo "@@exit=$(cat exit_code)"; fi
case $out in *JobState=RUNNING*|*JobState=PENDING*|*JobState=CONFIGURING*) ;; *)
  # slurmstepd's line with the sizes (in rank 0's stderr for a step of several tasks) first.
  oom=$(grep -h -i -m 1 'exceeded memory limit (' slurm-"$1".out worker-*.err 2>/dev/null | head -n 1)
  [ -n "$oom" ] || oom=$(grep -h -i -m 1 'exceeded .*memory limit' slurm-"$1".out worker-*.err 2>/dev/null | head -n 1)
  if [ -n "$oom" ]; then
    echo "@@oom=$oom"
    # Which task of the step peaked: only accounting (slurmdbd) keeps it once the job ended.
    command -v sacct >/dev/null 2>&1 && sacct -n -P -j "$1" -o JobID,MaxRSS,MaxRSSTask,NTasks 2>/dev/null | sed 's/^/@@step=/'
  fi ;;
esac
echo "@@events"
tail -c +"$ev" events.jsonl 2>/dev/null
)SH";

} // namespace

bool SlurmJobState::isTerminal() const
{
    static const QStringList terminal{QStringLiteral("COMPLETED"), QStringLiteral("FAILED"), QStringLiteral("TIMEOUT"),
                                      QStringLiteral("CANCELLED"), QStringLiteral("OUT_OF_MEMORY"), QStringLiteral("NODE_FAIL"),
                                      QStringLiteral("BOOT_FAIL"), QStringLiteral("DEADLINE"), QStringLiteral("PREEMPTED")};
    return terminal.contains(state);
}

namespace slurm {

QHash<QString, QString> parseKeyValues(const QString &line)
{
    QHash<QString, QString> out;
    static const QRegularExpression key(QStringLiteral("(?:^|\\s)([A-Za-z][A-Za-z0-9_:/.]*)="));
    QList<QPair<QString, QPair<qsizetype, qsizetype>>> keys; // name, (start of match, start of value)
    auto it = key.globalMatch(line);
    while (it.hasNext()) {
        const auto m = it.next();
        keys.append({m.captured(1), {m.capturedStart(0), m.capturedEnd(0)}});
    }
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const qsizetype end = i + 1 < keys.size() ? keys.at(i + 1).second.first : line.size();
        const qsizetype start = keys.at(i).second.second;
        if (!out.contains(keys.at(i).first))
            out.insert(keys.at(i).first, line.mid(start, end - start).trimmed());
    }
    return out;
}

int gpusIn(const QString &tres)
{
    int total = 0;
    for (const QString &item : tres.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        QString s = item.trimmed();
        s.remove(QRegularExpression(QStringLiteral("\\(.*\\)$"))); // "(S:0-1)", "(IDX:0)"
        if (s.startsWith(QLatin1String("gres/gpu"))) {
            // "gres/gpu=2" counts; "gres/gpu:a100=2" repeats the same GPUs by type.
            if (s.startsWith(QLatin1String("gres/gpu=")))
                total += toInt(s.mid(9));
        } else if (s.startsWith(QLatin1String("gpu"))) {
            // Gres: "gpu:2" or "gpu:tesla:2"
            const QStringList parts = s.split(QLatin1Char(':'));
            if (parts.size() >= 2)
                total += toInt(parts.last());
        }
    }
    return total;
}

QList<SlurmNode> parseNodes(const QString &text)
{
    QList<SlurmNode> out;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (!line.startsWith(QLatin1String("NodeName=")))
            continue;
        const auto kv = parseKeyValues(line);
        SlurmNode n;
        n.name = kv.value(QStringLiteral("NodeName"));
        n.state = kv.value(QStringLiteral("State"));
        n.reason = kv.value(QStringLiteral("Reason"));
        n.partitions = kv.value(QStringLiteral("Partitions")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        n.cpus = toInt(kv.value(QStringLiteral("CPUTot")));
        n.cpusAllocated = toInt(kv.value(QStringLiteral("CPUAlloc")));
        n.memoryMb = kv.value(QStringLiteral("RealMemory")).toLongLong();
        n.memoryAllocatedMb = kv.value(QStringLiteral("AllocMem")).toLongLong();
        n.gpus = gpusIn(kv.value(QStringLiteral("CfgTRES")));
        if (n.gpus == 0)
            n.gpus = gpusIn(kv.value(QStringLiteral("Gres")));
        n.gpusAllocated = gpusIn(kv.value(QStringLiteral("AllocTRES")));
        out << n;
    }
    return out;
}

QList<SlurmPartition> parsePartitions(const QString &text, const QList<SlurmNode> &nodes)
{
    QList<SlurmPartition> out;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.split(QLatin1Char('|'));
        if (f.size() < 5)
            continue;
        SlurmPartition p;
        p.name = f.at(0).trimmed();
        if (p.name.endsWith(QLatin1Char('*'))) {
            p.isDefault = true;
            p.name.chop(1);
        }
        p.state = f.at(1).trimmed();
        p.maxTime = f.at(2).trimmed();
        const QList<int> n = slashNumbers(f.at(3));
        p.nodesAllocated = n.at(0);
        p.nodesIdle = n.at(1);
        p.nodesOther = n.at(2);
        p.nodesTotal = n.at(3);
        const QList<int> c = slashNumbers(f.at(4));
        p.cpusAllocated = c.at(0);
        p.cpusIdle = c.at(1);
        p.cpusOther = c.at(2);
        p.cpusTotal = c.at(3);
        for (const SlurmNode &node : nodes) {
            if (node.partitions.contains(p.name)) {
                p.gpusTotal += node.gpus;
                p.gpusUsed += node.gpusAllocated;
            }
        }
        out << p;
    }
    return out;
}

QList<SlurmQueueEntry> parseQueue(const QString &text)
{
    QList<SlurmQueueEntry> out;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        QStringList f = line.split(QLatin1Char('|'));
        if (f.size() < 11)
            continue;
        SlurmQueueEntry e;
        e.jobId = f.at(0).trimmed();
        e.user = f.at(1).trimmed();
        e.state = f.at(2).trimmed();
        e.reason = f.at(3).trimmed();
        if (e.reason == QLatin1String("None"))
            e.reason.clear();
        e.partition = f.at(4).trimmed();
        e.nodes = toInt(f.at(5));
        e.cpus = toInt(f.at(6));
        e.timeUsed = f.at(7).trimmed();
        e.timeLimit = f.at(8).trimmed();
        e.nodeList = f.at(9).trimmed();
        if (e.nodeList.startsWith(QLatin1Char('(')))
            e.nodeList.clear(); // the reason again, for a pending job
        e.name = f.mid(10).join(QLatin1Char('|')); // a name may hold '|'
        e.ours = e.name.startsWith(QLatin1String("cairn-"));
        out << e;
    }
    return out;
}

SlurmJobState parseJob(const QString &text)
{
    SlurmJobState s;
    const QString line = text.section(QLatin1Char('\n'), 0, 0).trimmed();
    if (line.contains(QLatin1String("Unable to contact slurm controller")) || line.contains(QLatin1String("Socket timed out"))
        || line.contains(QLatin1String("Zero Bytes were transmitted"))) {
        s.controllerDown = true;
        s.error = line;
        return s;
    }
    if (!line.startsWith(QLatin1String("JobId="))) {
        s.error = line;
        return s;
    }
    const auto kv = parseKeyValues(line);
    s.known = true;
    s.source = QStringLiteral("scontrol");
    s.state = kv.value(QStringLiteral("JobState"));
    s.reason = kv.value(QStringLiteral("Reason"));
    if (s.reason == QLatin1String("None"))
        s.reason.clear();
    const QString exit = kv.value(QStringLiteral("ExitCode"));
    s.exitCode = exit.section(QLatin1Char(':'), 0, 0).toInt();
    s.signal = exit.section(QLatin1Char(':'), 1, 1).toInt();
    s.nodeList = kv.value(QStringLiteral("NodeList"));
    if (s.nodeList == QLatin1String("(null)"))
        s.nodeList.clear();
    s.timeLimit = kv.value(QStringLiteral("TimeLimit"));
    return s;
}

SlurmJobState parseSacct(const QString &text)
{
    SlurmJobState s;
    const QStringList f = text.section(QLatin1Char('\n'), 0, 0).trimmed().split(QLatin1Char('|'));
    if (f.size() < 2 || f.at(0).isEmpty())
        return s;
    s.known = true;
    s.source = QStringLiteral("sacct");
    s.state = f.at(0).section(QLatin1Char(' '), 0, 0); // "CANCELLED by 0"
    s.exitCode = f.at(1).section(QLatin1Char(':'), 0, 0).toInt();
    s.signal = f.at(1).section(QLatin1Char(':'), 1, 1).toInt();
    s.reason = f.value(2).trimmed();
    if (s.reason == QLatin1String("None"))
        s.reason.clear();
    return s;
}

bool validTimeLimit(const QString &limit)
{
    static const QRegularExpression re(QStringLiteral("^(infinite|unlimited|\\d+|\\d+:\\d+|\\d+:\\d+:\\d+|\\d+-\\d+|\\d+-\\d+:\\d+|\\d+-\\d+:\\d+:\\d+)$"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re.match(limit).hasMatch();
}

bool validPartition(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.][A-Za-z0-9_.,-]*$"));
    return re.match(name).hasMatch();
}

QString jobName(const JobSpec &spec)
{
    QString base = spec.runName.isEmpty() ? spec.algorithm : spec.runName;
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("_"));
    return (QStringLiteral("cairn-") + base).left(64);
}

QString batchScript(const JobSpec &spec, const QString &cairnCommand, int arrayTasks)
{
    const auto &r = spec.resources;
    if (!r.partition.isEmpty() && !validPartition(r.partition))
        throw Error(QStringLiteral("'%1' is not a Slurm partition name (letters, digits, '.', '_', '-'; several separated by ',')").arg(r.partition));
    if (!r.timeLimit.isEmpty() && !validTimeLimit(r.timeLimit))
        throw Error(QStringLiteral("'%1' is not a Slurm time limit (minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S)").arg(r.timeLimit));
    const int instances = std::max(1, r.instances);
    const int perInstance = std::max(1, r.processesPerInstance);
    const int tasks = instances * perInstance;
    QStringList s{QStringLiteral("#!/bin/sh"), QStringLiteral("#SBATCH --job-name=%1").arg(jobName(spec))};
    if (arrayTasks > 0)
        s << QStringLiteral("#SBATCH --array=0-%1").arg(arrayTasks - 1) << QStringLiteral("#SBATCH --output=slurm-%A_%a.out");
    else
        s << QStringLiteral("#SBATCH --output=slurm-%j.out");
    if (!r.partition.isEmpty())
        s << QStringLiteral("#SBATCH --partition=%1").arg(r.partition);
    s << QStringLiteral("#SBATCH --nodes=%1").arg(instances)
      << QStringLiteral("#SBATCH --ntasks=%1").arg(tasks)
      << QStringLiteral("#SBATCH --ntasks-per-node=%1").arg(perInstance);
    if (r.cpus > 0)
        s << QStringLiteral("#SBATCH --cpus-per-task=%1").arg(r.cpus);
    if (r.gpusPerInstance > 0)
        s << QStringLiteral("#SBATCH --gres=gpu:%1").arg(r.gpusPerInstance);
    if (r.memoryMb > 0)
        s << QStringLiteral("#SBATCH --mem=%1M").arg(r.memoryMb);
    if (!r.timeLimit.isEmpty())
        s << QStringLiteral("#SBATCH --time=%1").arg(r.timeLimit);
    s << QString()
      << QStringLiteral("# Written by Cairn Studio: runs `cairn worker` on each task; rank 0 writes events.jsonl.")
      << QStringLiteral("cairn=%1").arg(shellQuote(cairnCommand));
    if (arrayTasks > 0) {
        // Each task runs the job whose folder (beside this one) is its line of `tasks`.
        s << QStringLiteral("task=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" tasks)")
          << QStringLiteral("cd -- \"../$task\" || exit 3");
    }
    s << QStringLiteral("rm -f exit_code exit_code.tmp");
    if (tasks == 1) {
        s << QStringLiteral("\"$cairn\" worker --spec spec.json --events-file events.jsonl --control-file control >worker-0.out 2>worker-0.err </dev/null");
    } else {
        // Every rank learns its place from SLURM_PROCID / SLURM_NTASKS (jobs/distributed.h);
        // rank 0 writes events.jsonl, the others their own events file beside the spec.
        s << QStringLiteral("srun --kill-on-bad-exit=1 --output=worker-%t.out --error=worker-%t.err "
                            "\"$cairn\" worker --spec spec.json --events-file events.jsonl --control-file control");
    }
    s << QStringLiteral("rc=$?")
      << QStringLiteral("echo $rc > exit_code.tmp && mv exit_code.tmp exit_code")
      << QStringLiteral("exit $rc")
      << QString();
    return s.join(QLatin1Char('\n'));
}

qint64 parseRssKb(const QString &text)
{
    QString t = text.trimmed();
    if (t.isEmpty())
        return 0;
    double factor = 1.0 / 1024; // no unit: bytes
    const QChar unit = t.back().toUpper();
    if (unit.isLetter()) {
        t.chop(1);
        static const QString units = QStringLiteral("KMGTP"); // sacct's suffixes, powers of 1024 of a KB
        const qsizetype power = units.indexOf(unit);
        if (power < 0)
            return 0; // not a size sacct writes: no figure rather than a wrong one
        factor = std::pow(1024.0, double(power));
    }
    bool ok = false;
    const double value = t.toDouble(&ok);
    return ok && value >= 0 ? qint64(value * factor) : 0;
}

SlurmJobState memoryKilled(const SlurmJobState &state, const QString &line, const QList<SlurmPoll::StepMemory> &steps)
{
    SlurmJobState s = state;
    s.known = true;
    s.state = QStringLiteral("OUT_OF_MEMORY");
    // "StepId=12.batch exceeded memory limit (94494720 > 62914560), being killed"
    static const QRegularExpression sizes(QStringLiteral("\\((\\d+) > (\\d+)\\)"));
    const auto m = sizes.match(line);
    // Whole MB, or tenths where whole ones would read "80 MB, over its limit of 80 MB".
    const double used = m.captured(1).toDouble() / 1048576, limit = m.captured(2).toDouble() / 1048576;
    const int decimals = qint64(used) == qint64(limit) ? 1 : 0;
    const auto mb = [decimals](double v) { return decimals ? QString::number(v, 'f', 1) : QString::number(qint64(v)); };
    s.reason = m.hasMatch() ? QStringLiteral("it used %1 MB, over its limit of %2 MB").arg(mb(used), mb(limit))
                            : line.section(QLatin1String("error: "), -1).trimmed();
    // Slurm limits a step's memory as a whole (all its tasks on the node): name the task that
    // held the most, from the killed step's accounting (its own line, else the largest step).
    static const QRegularExpression stepId(QStringLiteral("StepId=(\\S+)"));
    const QString killed = stepId.match(line).captured(1);
    const SlurmPoll::StepMemory *step = nullptr;
    for (const SlurmPoll::StepMemory &st : steps)
        if (!killed.isEmpty() && st.step == killed)
            step = &st;
    if (!step)
        for (const SlurmPoll::StepMemory &st : steps)
            if (st.step.contains(QLatin1Char('.')) && st.maxRssTask >= 0 && (!step || st.maxRssKb > step->maxRssKb))
                step = &st;
    if (step && step->tasks > 1 && step->maxRssTask >= 0)
        s.reason = QStringLiteral("rank %1 of %2 used the most, %3 MB; %4")
                       .arg(step->maxRssTask)
                       .arg(step->tasks)
                       .arg(step->maxRssKb / 1024)
                       .arg(m.hasMatch() ? QStringLiteral("its %1 tasks together used %2 MB, over the job's limit of %3 MB")
                                               .arg(step->tasks)
                                               .arg(mb(used), mb(limit))
                                         : s.reason);
    return s;
}

QString describeEnd(const SlurmJobState &st)
{
    const QString reason = st.reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(st.reason);
    if (st.state == QLatin1String("TIMEOUT"))
        return QStringLiteral("Slurm stopped the job at its time limit%1: TIMEOUT").arg(st.timeLimit.isEmpty() ? QString() : QStringLiteral(" of ") + st.timeLimit);
    if (st.state == QLatin1String("OUT_OF_MEMORY"))
        return QStringLiteral("Slurm killed the job for using more memory than it asked for: OUT_OF_MEMORY%1").arg(reason);
    if (st.state == QLatin1String("CANCELLED"))
        return QStringLiteral("the job was cancelled in Slurm (scancel)%1").arg(reason);
    if (st.state == QLatin1String("FAILED"))
        return QStringLiteral("Slurm reports the job FAILED%1, exit code %2").arg(reason).arg(st.exitCode);
    if (st.state == QLatin1String("NODE_FAIL"))
        return QStringLiteral("a node of the job failed: NODE_FAIL%1").arg(reason);
    return QStringLiteral("Slurm ended the job: %1%2").arg(st.state, reason);
}

} // namespace slurm

SlurmCluster::SlurmCluster(Host host) : m_host(std::move(host)) {}

SlurmCluster::Result SlurmCluster::run(const QStringList &argv, int timeoutMs) const
{
    if (m_host.usesSsh()) {
        const auto r = SshConnection(m_host).run(argv, timeoutMs);
        return {r.exitCode, r.out, r.err};
    }
    if (argv.isEmpty())
        throw Error(QStringLiteral("no command"));
    QProcess p;
    p.start(argv.first(), argv.mid(1));
    if (!p.waitForStarted(10000))
        throw Error(QStringLiteral("cannot run %1 on this machine: %2 (is Slurm's client installed? apt install slurm-client)")
                        .arg(argv.first(), p.errorString()));
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        throw Error(QStringLiteral("%1 did not answer within %2 s").arg(argv.first()).arg(timeoutMs / 1000));
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

SlurmCluster::Result SlurmCluster::runScript(const QString &script, const QStringList &args, int timeoutMs) const
{
    if (m_host.usesSsh()) {
        const auto r = SshConnection(m_host).runScript(script, args, timeoutMs);
        return {r.exitCode, r.out, r.err};
    }
    return run(QStringList{QStringLiteral("sh"), QStringLiteral("-c"), script, QStringLiteral("sh")} + args, timeoutMs);
}

SlurmOverview SlurmCluster::overview() const
{
    SlurmOverview o;
    try {
        const Result r = runScript(QString::fromLatin1(kOverviewScript), {}, 30000);
        const QString out = QString::fromUtf8(r.out);
        const QString sinfo = out.section(QStringLiteral("@@sinfo\n"), 1).section(QStringLiteral("@@rc="), 0, 0);
        const int rc = out.section(QStringLiteral("@@rc="), 1).section(QLatin1Char('\n'), 0, 0).toInt();
        const QString nodes = out.section(QStringLiteral("@@nodes\n"), 1).section(QStringLiteral("@@queue\n"), 0, 0);
        const QString queue = out.section(QStringLiteral("@@queue\n"), 1);
        if (rc != 0 || !out.contains(QLatin1String("@@sinfo"))) {
            QString why = sinfo.trimmed();
            if (why.isEmpty())
                why = QString::fromUtf8(r.err).trimmed();
            if (rc == 127) {
                o.errorKind = QStringLiteral("no-slurm");
                o.error = m_host.usesSsh()
                              ? QStringLiteral("Slurm's commands are not installed on the login host %1 (sinfo was not found there): pick the cluster's login node, "
                                               "or install slurm-client on it").arg(m_host.address())
                              : QStringLiteral("Slurm's commands are not installed on this machine (sinfo was not found): install slurm-client "
                                               "(apt install slurm-client), or reach the cluster through its login host");
                return o;
            }
            o.errorKind = why.contains(QLatin1String("Unable to contact slurm controller")) || why.contains(QLatin1String("Socket timed out"))
                              ? QStringLiteral("controller") : QStringLiteral("other");
            o.error = QStringLiteral("Slurm on '%1' did not answer: %2").arg(m_host.name, why.isEmpty() ? QStringLiteral("sinfo failed") : why);
            return o;
        }
        o.nodes = slurm::parseNodes(nodes);
        o.partitions = slurm::parsePartitions(sinfo, o.nodes);
        o.queue = slurm::parseQueue(queue);
    } catch (const SshError &e) {
        o.error = e.message();
        o.errorKind = QStringLiteral("ssh");
        o.sshReason = SshError::reasonName(e.reason());
        o.fingerprint = e.fingerprint();
    } catch (const Error &e) {
        o.error = e.message();
        o.errorKind = QStringLiteral("other");
    }
    return o;
}

SlurmJobState SlurmCluster::jobState(const QString &jobId) const
{
    const Result r = runScript(QString::fromLatin1(kJobStateScript), {jobId}, 30000);
    const QString out = QString::fromUtf8(r.out);
    const QString body = out.section(QLatin1Char('\n'), 1).section(QStringLiteral("@@sacct\n"), 0, 0);
    SlurmJobState s = slurm::parseJob(body);
    if (!s.known && !s.controllerDown && out.contains(QLatin1String("@@sacct\n"))) {
        const SlurmJobState acct = slurm::parseSacct(out.section(QStringLiteral("@@sacct\n"), 1));
        if (acct.known)
            return acct;
    }
    return s;
}

SlurmPoll SlurmCluster::poll(const QString &jobDir, const QString &jobId, qint64 offset) const
{
    SlurmPoll p;
    try {
        const QString script = QString::fromLatin1(kPollScript) + QString::fromLatin1(kJobStateScript) + QString::fromLatin1(kPollTail);
        const Result r = runScript(script, {jobDir, jobId, QString::number(offset + 1)}, 60000);
        const qsizetype marker = r.out.indexOf("\n@@events\n");
        if (r.out.startsWith("@@gone")) {
            p.folderGone = true;
            return p;
        }
        if (marker < 0) {
            p.error = QStringLiteral("the cluster gave no answer: %1").arg(QString::fromUtf8(r.err).trimmed());
            return p;
        }
        const QString head = QString::fromUtf8(r.out.left(marker + 1));
        p.events = r.out.mid(marker + 10);
        const QString body = head.section(QLatin1Char('\n'), 1).section(QStringLiteral("@@"), 0, 0);
        p.state = slurm::parseJob(body);
        if (!p.state.known && !p.state.controllerDown && head.contains(QLatin1String("@@sacct\n"))) {
            const SlurmJobState acct = slurm::parseSacct(head.section(QStringLiteral("@@sacct\n"), 1).section(QStringLiteral("@@exit="), 0, 0));
            if (acct.known)
                p.state = acct;
        }
        const qsizetype oom = head.indexOf(QLatin1String("@@oom="));
        if (oom >= 0)
            p.memoryKill = head.mid(oom + 6).section(QLatin1Char('\n'), 0, 0).trimmed();
        for (const QString &line : head.split(QLatin1Char('\n'))) {
            if (!line.startsWith(QLatin1String("@@step=")))
                continue;
            const QStringList f = line.mid(7).split(QLatin1Char('|'));
            if (f.value(0) == jobId)
                p.accountingKnowsJob = true;
            if (f.size() < 4 || !f.at(0).contains(QLatin1Char('.')))
                continue;
            bool ok = false;
            const int task = f.at(2).trimmed().toInt(&ok);
            p.steps << SlurmPoll::StepMemory{f.at(0), slurm::parseRssKb(f.at(1)), ok ? task : -1, f.at(3).trimmed().toInt()};
        }
        const qsizetype e = head.indexOf(QLatin1String("@@exit="));
        if (e >= 0) {
            p.hasExitFile = true;
            p.exitFileCode = head.mid(e + 7).section(QLatin1Char('\n'), 0, 0).trimmed().toInt();
        }
    } catch (const Error &e) {
        p.error = e.message();
    }
    return p;
}

void SlurmCluster::cancel(const QString &jobId, const QString &signal) const
{
    QStringList argv{QStringLiteral("scancel")};
    if (!signal.isEmpty())
        argv << QStringLiteral("--signal=") + signal << QStringLiteral("--full");
    argv << jobId;
    const Result r = run(argv, 30000);
    if (r.exitCode != 0)
        throw Error(QStringLiteral("scancel %1 on '%2': %3").arg(jobId, m_host.name, QString::fromUtf8(r.err).trimmed()));
}

QString SlurmCluster::resolvedWorkDir() const
{
    const QString d = m_host.workDir;
    if (!m_host.usesSsh()) {
        if (d == QLatin1String("~"))
            return QDir::homePath();
        if (d.startsWith(QLatin1String("~/")))
            return QDir::homePath() + d.mid(1);
        return QDir(d).absolutePath();
    }
    const Result r = runScript(QStringLiteral("d=$1; case $d in \"~\") d=$HOME ;; \"~/\"*) d=$HOME/${d#\"~/\"} ;; esac\n"
                                              "mkdir -p -- \"$d\" && cd -- \"$d\" && pwd -P"),
                               {d}, 30000);
    const QString out = QString::fromUtf8(r.out).trimmed();
    if (r.exitCode != 0 || out.isEmpty())
        throw Error(QStringLiteral("cannot create the work folder %1 on '%2': %3").arg(d, m_host.name, QString::fromUtf8(r.err).trimmed()));
    return out;
}

} // namespace cairn::remote
