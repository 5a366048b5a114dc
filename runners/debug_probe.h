#pragma once
// The step debugger inside a training step. It stops the forward pass at a node (a break asked
// for, a user stepping, a breakpoint node, the first NaN or Inf) and the backward pass at each
// node's gradient, reports every stop as a DebugEvent, and waits there for DEBUG_* commands:
// step, continue, inspect any held tensor or parameter, change the stops. The same records
// travel over stdin/stdout and control.tlog/events.tlog, so a remote run debugs like a local one.
// Owned by the TrainingLoop. Forward stops happen on the training thread; backward stops on the
// thread libtorch runs the gradient hooks on while the training thread waits in backward().
// Private to runners/ (includes libtorch).

#include "proto/torchlight.pb.h"
#include "runners/node_observer.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tl::runners {

class ControlChannel;
class EventSink;

class DebugProbe final : public NodeObserver
{
public:
    // Told of the commands that are not the debugger's (STOP, CHECKPOINT) arriving while
    // stopped; the loop acts on them after the step.
    using OtherCommand = std::function<void(const proto::ControlCommand &)>;

    // `nodes`: the model's forward order (TrainableModel::nodes); "loss" is appended.
    DebugProbe(EventSink &events,
               ControlChannel &control,
               torch::nn::Module &module,
               std::vector<ForwardNode> nodes,
               const proto::DebugSettings &settings,
               OtherCommand other);

    // Whether the next step must run through the probe: eagerly, node by node.
    bool isArmed() const;
    // A DEBUG_* command that arrived between steps (others are ignored).
    void apply(const proto::ControlCommand &command);

    // One micro-batch of optimizer step `step` (1-based): beginPass, the nodes (through the
    // NodeObserver), lossComputed, backward() (gradient hooks), passDone.
    void beginPass(std::int64_t step);
    void nodeComputed(std::size_t index, const torch::Tensor &output) override;
    void lossComputed(const torch::Tensor &loss, const std::string &kind);
    void passDone();

    const std::vector<ForwardNode> &nodes() const { return m_nodes; }

private:
    using Phase = proto::DebugEvent::Phase;
    using Reason = proto::DebugEvent::Reason;

    void gradientComputed(std::size_t index, const torch::Tensor &gradient);
    void
    consider(Phase phase, std::size_t index, const std::string &name, const torch::Tensor &tensor);
    // Sends the stop (its tensor already summarised; empty for none) and waits there.
    void stop(Reason reason,
              Phase phase,
              std::size_t index,
              proto::TensorSnapshot tensor,
              std::string message);
    // While stopped: true when the command ends the stop.
    bool handle(const proto::ControlCommand &command);
    void inspect(const std::string &name);
    void leave(const std::string &why);
    void hold(const std::string &name, const torch::Tensor &tensor);
    torch::Tensor find(const std::string &name) const;
    std::vector<std::string> inspectable() const;
    bool breaksAt(const std::string &node) const;
    proto::RunEvent eventAt(Reason reason) const;

    EventSink &m_events;
    ControlChannel &m_control;
    torch::nn::Module &m_module;
    std::vector<ForwardNode> m_nodes;
    proto::DebugSettings m_settings;
    OtherCommand m_other;

    std::int64_t m_step = 0;
    bool m_breakRequested = false;
    bool m_stepping = false;      // stop at every node until CONTINUE
    bool m_inDebugger = false;    // a PAUSED status was sent and no RUNNING since
    bool m_stopping = false;      // STOP arrived: no more stops
    bool m_nonfiniteSeen = false; // this pass already stopped at a NaN or Inf
    // The current (or last) stop, for INSPECTED answers.
    Phase m_phase = proto::DebugEvent::PHASE_FORWARD;
    std::size_t m_index = 0;
    // This pass's node outputs and gradients, in the order they were computed.
    std::vector<std::pair<std::string, torch::Tensor>> m_held;
};

} // namespace tl::runners
