using Baton.Yaml.Expressions;
using Baton.Yaml.Model;

namespace Baton.Yaml.Building;

/// <summary>An agent's <c>guardrails:</c> as Baton guardrails: expressions over <c>input</c> or <c>output</c>, and judge agents.</summary>
internal static class FileGuardrails
{
    public static AgentGuardrails Build(GuardrailsDefinition definition, Func<string, IAgent> agents) => new()
    {
        Input = [.. definition.Input.Select(g => Make(g, agents))],
        Output = [.. definition.Output.Select(g => Make(g, agents))],
    };

    private static IGuardrail Make(GuardrailDefinition definition, Func<string, IAgent> agents) =>
        definition.Check is { } check ? new ExpressionGuardrail(check, definition.Message) : Guardrail.Judge(agents(definition.Agent!), definition.Message);

    /// <summary>Passes when the expression is true; an input check sees <c>input</c>, an output check <c>output</c>.</summary>
    private sealed class ExpressionGuardrail(Expression check, string message) : IGuardrail
    {
        public string Message => message;

        public ValueTask<GuardrailVerdict> CheckAsync(GuardrailCheck value, CancellationToken cancellationToken)
        {
            var scope = Templating.Scope(value.Value, value.Value, null, value.Context.State);
            scope = value.Stage == GuardrailStage.Input ? scope with { Output = null } : scope with { Input = null };
            // An expression that throws (a bound, a type error) fails the guardrail: AgentGuardrails turns it into a failure.
            return ValueTask.FromResult(check.EvaluateBoolean(scope) ? GuardrailVerdict.Pass : GuardrailVerdict.Fail());
        }
    }
}
