#include "consumer.h"

namespace qd {

void FunctionConsumer::deliver(const Delivery &delivery, CompletionFn done)
{
    BatchOutcome outcome;
    m_handler(delivery, outcome);
    done(outcome);
}

} // namespace qd
