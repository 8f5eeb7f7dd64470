using Fluid;
using Fluid.Ast;

namespace Baton.AI;

/// <summary>
/// Checks a parsed template before it is used: ranges get a length bound, and <c>include</c> and <c>render</c> (which
/// read template files) are refused, so a template reaches nothing but the values it is given.
/// </summary>
internal sealed class TemplateGuard : AstRewriter
{
    private string? _error;

    /// <summary>The template made safe to render, or null with the reason it is refused.</summary>
    public static IFluidTemplate? Check(IFluidTemplate template, out string? error)
    {
        var guard = new TemplateGuard();
        var checkedTemplate = guard.VisitTemplate(template);
        error = guard._error;
        return error is null ? checkedTemplate : null;
    }

    protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
    {
        var from = Visit(rangeExpression.From);
        var to = Visit(rangeExpression.To);
        return new BoundedRangeExpression(from, to);
    }

    protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
    {
        _error ??= "'include' is not available: templates cannot read files";
        return includeStatement;
    }

    protected override Statement VisitRenderStatement(RenderStatement renderStatement)
    {
        _error ??= "'render' is not available: templates cannot read files";
        return renderStatement;
    }
}
