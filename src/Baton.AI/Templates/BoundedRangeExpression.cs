using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Baton.AI;

/// <summary>
/// <c>(from..to)</c> with a length bound: Fluid makes every number of a range before a loop starts, so
/// <c>(1..100000000)</c> would allocate gigabytes before the step bound could stop it.
/// </summary>
internal sealed class BoundedRangeExpression(Expression from, Expression to) : Expression
{
    public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
    {
        var start = Math.Truncate((await from.EvaluateAsync(context).ConfigureAwait(false)).ToNumberValue());
        var end = Math.Truncate((await to.EvaluateAsync(context).ConfigureAwait(false)).ToNumberValue());
        if (context is BoundedTemplateContext bounded) bounded.CancellationToken.ThrowIfCancellationRequested();
        var length = end < start ? 0 : end - start + 1;
        if (length > PromptTemplate.RangeLimit)
        {
            throw new TemplateLimitException($"the range ({start}..{end}) has {length} numbers, more than {PromptTemplate.RangeLimit}");
        }

        var values = new FluidValue[(int)length];
        for (var i = 0; i < values.Length; i++) values[i] = NumberValue.Create(start + i);
        return new ArrayValue(values);
    }
}
