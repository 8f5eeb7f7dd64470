using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`states`: the engine's state machine, transitions as expressions over the state's outcome.</summary>
internal sealed class StatesKindBuilder : StepKindBuilder<StatesDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, StatesDefinition step)
    {
        var machine = new StateMachineBuilder(step.Id);
        foreach (var state in step.States) machine.State(state.Name, builder.AsAgent(state.Do));
        foreach (var state in step.States)
        {
            foreach (var (when, target, _, _) in state.Transitions)
            {
                machine.Transition(state.Name, Target(target), outcome => when.EvaluateBoolean(Templating.Scope(outcome.Input, outcome.Output, outcome.Confidence, outcome.State)), when.Source);
            }

            if (state.Next is { } next) machine.Transition(state.Name, Target(next));
        }

        machine.Start(step.Start);
        return new AgentStep(machine.Build().AsAgent(), step.Id);

        static string Target(string name) => name == "end" ? Edge.End : name;
    }
}
