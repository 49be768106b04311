#include "metricsframe.h"

#include <algorithm>
#include <cmath>

namespace qd {

double MetricsFrame::failureRatePercent() const
{
    const qint64 bad = retried + deadLettered + failedNew;
    const qint64 outcomes = acked + bad;
    return outcomes > 0 ? 100.0 * double(bad) / double(outcomes) : 0.0;
}

qint64 percentile(std::vector<qint64> &samples, double p)
{
    if (samples.empty())
        return 0;
    const double clamped = std::clamp(p, 0.0, 100.0);
    // Nearest rank: the smallest value with at least p% of the samples at or below it.
    const auto rank = std::size_t(std::max(1.0, std::ceil(clamped / 100.0 * double(samples.size()))));
    const auto nth = samples.begin() + std::ptrdiff_t(rank - 1);
    std::nth_element(samples.begin(), nth, samples.end());
    return *nth;
}

MetricsFrame mergeFrames(const MetricsFrame *begin, const MetricsFrame *end)
{
    if (begin == end)
        return {};
    MetricsFrame out = *(end - 1); // depth and time of the last
    out.intervalMs = 0;
    out.written = out.delivered = out.acked = out.retried = out.deadLettered = out.failedNew = 0;
    out.batches = out.batchesBySize = out.batchesByTimeout = out.batchMessages = 0;
    out.processingSamples = out.processingP50 = out.processingP95 = 0;
    out.endToEndSamples = out.endToEndP50 = out.endToEndP95 = 0;
    double processingWeighted = 0;
    double endToEndWeighted = 0;
    for (const MetricsFrame *f = begin; f != end; ++f) {
        out.intervalMs += f->intervalMs;
        out.written += f->written;
        out.delivered += f->delivered;
        out.acked += f->acked;
        out.retried += f->retried;
        out.deadLettered += f->deadLettered;
        out.failedNew += f->failedNew;
        out.batches += f->batches;
        out.batchesBySize += f->batchesBySize;
        out.batchesByTimeout += f->batchesByTimeout;
        out.batchMessages += f->batchMessages;
        if (f->processingSamples > 0) {
            out.processingSamples += f->processingSamples;
            processingWeighted += double(f->processingP50) * double(f->processingSamples);
            out.processingP95 = std::max(out.processingP95, f->processingP95);
        }
        if (f->endToEndSamples > 0) {
            out.endToEndSamples += f->endToEndSamples;
            endToEndWeighted += double(f->endToEndP50) * double(f->endToEndSamples);
            out.endToEndP95 = std::max(out.endToEndP95, f->endToEndP95);
        }
    }
    if (out.processingSamples > 0)
        out.processingP50 = qint64(std::llround(processingWeighted / double(out.processingSamples)));
    if (out.endToEndSamples > 0)
        out.endToEndP50 = qint64(std::llround(endToEndWeighted / double(out.endToEndSamples)));
    return out;
}

} // namespace qd
