using Fluid;
using Fluid.Values;

namespace Baton.AI;

/// <summary>
/// Wraps the Liquid filters whose result can be far larger than their input (<c>replace</c>, <c>join</c>) with a check
/// of the result's size before it is made: one such call on a long text could otherwise allocate gigabytes, and the
/// output bound only sees text once it exists.
/// </summary>
internal static class BoundedFilters
{
    public static void Apply(FilterCollection filters)
    {
        Guard(filters, "replace", ReplacedLength);
        Guard(filters, "join", JoinedLength);
    }

    private static void Guard(FilterCollection filters, string name, Func<FluidValue, FilterArguments, TemplateContext, long> length)
    {
        if (!filters.TryGetValue(name, out var filter)) return;
        filters.AddFilter(name, (input, arguments, context) =>
        {
            var size = length(input, arguments, context);
            if (size > PromptTemplate.OutputLimit) throw new TemplateLimitException($"its '{name}' would make a text of {size} characters, more than {PromptTemplate.OutputLimit}");
            return filter(input, arguments, context);
        });
    }

    private static long ReplacedLength(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        var text = input.ToStringValue();
        var search = arguments.At(0).ToStringValue();
        var replacement = arguments.At(1).ToStringValue();
        if (replacement.Length <= search.Length) return text.Length;
        long count = 0;
        if (search.Length == 0) count = text.Length + 1;
        else
        {
            for (var at = text.IndexOf(search, StringComparison.Ordinal); at >= 0; at = text.IndexOf(search, at + search.Length, StringComparison.Ordinal)) count++;
        }

        return text.Length + (count * (replacement.Length - search.Length));
    }

    private static long JoinedLength(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        if (input is not ArrayValue array) return 0;
        var separator = arguments.At(0).ToStringValue().Length;
        long size = (long)Math.Max(0, array.Values.Count - 1) * separator;
        foreach (var item in array.Values)
        {
            if (size > PromptTemplate.OutputLimit) break;
            size += item.ToStringValue().Length;
        }

        return size;
    }
}
