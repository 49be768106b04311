#pragma once

#include "metricsframe.h"

#include <array>

namespace qd {

// The rollup columns after minute_ms and queue, in table order, with their fields.
inline constexpr std::array<qint64 MetricsFrame::*, 23> kRollupFields { {
    &MetricsFrame::intervalMs,
    &MetricsFrame::ready,
    &MetricsFrame::delayed,
    &MetricsFrame::inFlight,
    &MetricsFrame::failed,
    &MetricsFrame::dlq,
    &MetricsFrame::oldestAgeMs,
    &MetricsFrame::written,
    &MetricsFrame::delivered,
    &MetricsFrame::acked,
    &MetricsFrame::retried,
    &MetricsFrame::deadLettered,
    &MetricsFrame::failedNew,
    &MetricsFrame::batches,
    &MetricsFrame::batchesBySize,
    &MetricsFrame::batchesByTimeout,
    &MetricsFrame::batchMessages,
    &MetricsFrame::processingSamples,
    &MetricsFrame::processingP50,
    &MetricsFrame::processingP95,
    &MetricsFrame::endToEndSamples,
    &MetricsFrame::endToEndP50,
    &MetricsFrame::endToEndP95,
} };

inline constexpr const char *kRollupColumns
    = "minute_ms, queue, interval_ms, ready, delayed, in_flight, failed, dlq, oldest_age_ms, written, "
      "delivered, "
      "acked, retried, dead_lettered, failed_new, batches, batches_by_size, batches_by_timeout, "
      "batch_messages, "
      "processing_samples, processing_p50, processing_p95, e2e_samples, e2e_p50, e2e_p95";

} // namespace qd
