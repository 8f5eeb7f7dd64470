using System.Text.Json.Nodes;
using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`emit`: renders the topic and the data with the step's input and the run state, publishes, and outputs the data.</summary>
internal sealed class EmitKindBuilder : StepKindBuilder<EmitDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, EmitDefinition step) => new AgentStep(Agent.Create(step.Id, (input, context, cancellationToken) =>
    {
        var topic = Templating.Render(step.Topic, input, context.State, cancellationToken).Trim();
        try
        {
            TopicPattern.ValidateTopic(topic);
        }
        catch (ArgumentException ex)
        {
            return new ValueTask<AgentResult>(AgentResult.Failure(new StepError(ErrorKind.Fatal,
                $"emit '{step.Id}' rendered its topic '{step.Topic}' as '{topic}', which is not a topic: {ex.Message.Split(" (Parameter", 2)[0]}", step.Id) { Code = "emit_topic" }));
        }

        var data = Templating.RenderData(step.Data, input, context.State, cancellationToken);
        var payload = data is null ? Payload.Empty : data is JsonValue value && value.TryGetValue<string>(out var text) ? Payload.FromText(text) : Payload.ParseJson(data.ToJsonString());
        context.Publish(topic, payload);
        return new ValueTask<AgentResult>(AgentResult.Success(payload));
    }), step.Id);
}
