using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`route`: the engine's manager-worker step; classify and validate expressions run as agents, so they see the run state.</summary>
internal sealed class RouteKindBuilder : StepKindBuilder<RouteDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, RouteDefinition step)
    {
        var route = new ManagerWorkerBuilder(step.Id);
        if (step.ClassifyAgent is { } classifier) route.Classify(builder.Agents.Callable(classifier));
        else
        {
            var classify = step.ClassifyExpression!;
            route.Classify(Agent.Create("classify", (input, context, _) =>
                new ValueTask<AgentResult>(AgentResult.Success(Payload.FromText(classify.Evaluate(Templating.Scope(input, input, null, context.State)).AsText())))));
        }

        foreach (var (key, specialists) in step.Routes) route.Route(key, [.. specialists.Select(builder.AsAgent)]);
        if (step.Default is { } defaultKey) route.Default(defaultKey);
        if (step.ValidateAgent is { } validator) route.Validate(builder.Agents.Get(validator));
        else if (step.ValidateExpression is { } validate)
        {
            route.Validate(Agent.Create("validate", (input, context, _) =>
            {
                var answer = input.Get<RouteAnswer>()!;
                var accepted = validate.EvaluateBoolean(Templating.Scope(answer.Task, answer.Output, null, context.State));
                return new ValueTask<AgentResult>(AgentResult.Success(Payload.From(new RouteVerdict(accepted, accepted ? null : $"'{validate.Source}' does not hold for the answer"))));
            }));
        }

        route.MaxAttempts(step.MaxAttempts);
        return route.BuildStep(step.Id);
    }
}
