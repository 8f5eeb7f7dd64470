using System.Text.Json;
using System.Text.RegularExpressions;
using Acornima;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;

namespace Baton.Yaml.Expressions;

/// <summary>
/// A JavaScript expression from a workflow file (<c>when</c>, <c>items</c>, <c>classify</c>, <c>validate</c>, <c>set</c>),
/// parsed once and evaluated in a sandbox: no access to .NET, files or the network (Jint without CLR interop), no
/// <c>eval</c> or <c>Function</c> from text, a fresh engine for every evaluation (so nothing one evaluation changes —
/// a prototype, a global — is seen by the next), and bounds on time, memory, statements, recursion, array length and
/// regular-expression matching, so a bad expression fails its step instead of hanging the run.
/// </summary>
public sealed class Expression
{
    /// <summary>
    /// The wall-clock time one evaluation may take: a hang guard. The statement, memory and recursion bounds stop a
    /// runaway expression first; a time bound near real evaluation times would fail good expressions on a busy machine.
    /// </summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>The memory one evaluation may allocate.</summary>
    public const long MemoryLimit = 8 * 1024 * 1024;

    /// <summary>The deepest call recursion allowed.</summary>
    public const int RecursionLimit = 64;

    /// <summary>The most statements one evaluation may run.</summary>
    public const int StatementLimit = 100_000;

    /// <summary>The most elements one array may have.</summary>
    public const int ArrayLimit = 100_000;

    /// <summary>
    /// Globals an expression has no use for that allocate a script-chosen size in one call, out of reach of the memory
    /// bound (it is checked between statements): <c>new ArrayBuffer(1e9)</c> would take a gigabyte at once.
    /// </summary>
    private static readonly string[] Removed =
    [
        "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "WebAssembly",
        "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
        "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
    ];

    private readonly Prepared<Acornima.Ast.Script> _script;

    private Expression(string source, Prepared<Acornima.Ast.Script> script)
    {
        Source = source;
        _script = script;
    }

    /// <summary>The expression as written.</summary>
    public string Source { get; }

    /// <summary>Parses an expression; on failure, says why and where inside the expression.</summary>
    public static bool TryParse(string source, out Expression? expression, out ExpressionError? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        expression = null;
        error = null;
        if (string.IsNullOrWhiteSpace(source))
        {
            error = new ExpressionError("the expression is empty", 1, 1);
            return false;
        }

        try
        {
            // Parenthesised so it must be one expression, not statements; the column is corrected for the '('.
            var script = Engine.PrepareScript("(" + source + "\n)", "expression", strict: true);
            expression = new Expression(source, script);
            return true;
        }
        catch (Exception wrapper) when ((wrapper as ParseErrorException ?? wrapper.InnerException as ParseErrorException) is { } ex)
        {
            // Acornima columns are 0-based; on the first line the added "(" shifts them by one more.
            var column = ex.LineNumber == 1 ? Math.Max(1, ex.Column) : ex.Column + 1;
            error = new ExpressionError(ex.Description ?? ex.Message, ex.LineNumber, column);
            return false;
        }
    }

    /// <summary>Parses an expression or throws <see cref="FormatException"/> saying why.</summary>
    public static Expression Parse(string source) =>
        TryParse(source, out var expression, out var error) ? expression! : throw new FormatException($"invalid expression '{source}': {error!.Message}");

    /// <summary>Evaluates to a truth value (JavaScript truthiness).</summary>
    /// <exception cref="AgentException">The expression threw or passed a bound (fatal, code <c>expression</c>).</exception>
    public bool EvaluateBoolean(ExpressionScope scope) => Run(scope, static (_, value) => TypeConverter.ToBoolean(value));

    /// <summary>Evaluates to a payload: strings as text, everything else as JSON.</summary>
    /// <exception cref="AgentException">The expression threw or passed a bound (fatal, code <c>expression</c>).</exception>
    public Payload Evaluate(ExpressionScope scope) => Run(scope, static (engine, value) => ToPayload(engine, value));

    /// <summary>Evaluates to an array, one payload per item.</summary>
    /// <exception cref="AgentException">The value is not an array, the expression threw or passed a bound.</exception>
    public IReadOnlyList<Payload> EvaluateArray(ExpressionScope scope) => Run(scope, (engine, value) =>
    {
        if (value is not JsArray array) throw new AgentException(ErrorKind.Fatal, $"the expression '{Source}' gave {value.Type}, not an array") { Code = "expression" };
        var items = new List<Payload>((int)array.Length);
        foreach (var item in array) items.Add(ToPayload(engine, item));
        return (IReadOnlyList<Payload>)items;
    });

    private T Run<T>(ExpressionScope scope, Func<Engine, JsValue, T> convert)
    {
        ArgumentNullException.ThrowIfNull(scope);
        // A fresh engine each time (tens of microseconds): state left by one evaluation cannot leak into the next.
        var engine = NewEngine();
        try
        {
            engine.SetValue("input", ToJs(engine, scope.Input));
            engine.SetValue("output", ToJs(engine, scope.Output));
            engine.SetValue("confidence", scope.Confidence is { } c ? JsNumber.Create(c) : JsValue.Null);
            engine.SetValue("inputs", ToJs(engine, scope.Inputs));
            engine.SetValue("error", ToJs(engine, scope.Error));
            engine.SetValue("turn", scope.Turn is { } turn ? JsNumber.Create(turn) : JsValue.Null);
            engine.SetValue("state", StateObject(engine, scope.State));
            return convert(engine, engine.Evaluate(in _script));
        }
        catch (AgentException)
        {
            throw;
        }
        catch (Exception ex) when (ex is JavaScriptException or ExecutionCanceledException or MemoryLimitExceededException or RecursionDepthOverflowException
            or StatementsCountOverflowException or TimeoutException or JsonException or RegexMatchTimeoutException or JintException
            or InvalidOperationException)
        {
            var why = ex switch
            {
                RegexMatchTimeoutException => $"a regular expression ran longer than {TimeLimit.TotalMilliseconds} ms",
                TimeoutException or ExecutionCanceledException => $"it ran longer than {TimeLimit.TotalMilliseconds} ms",
                MemoryLimitExceededException => $"it allocated more than {MemoryLimit / (1024 * 1024)} MB",
                RecursionDepthOverflowException => $"it recursed deeper than {RecursionLimit}",
                StatementsCountOverflowException => $"it ran more than {StatementLimit} statements",
                _ => ex.Message,
            };
            throw new AgentException(ErrorKind.Fatal, $"the expression '{Source}' failed: {why}", ex) { Code = "expression" };
        }
    }

    private static Engine NewEngine()
    {
        var engine = Configure();
        foreach (var name in Removed) engine.Global.Delete(name);
        return engine;
    }

    private static Engine Configure() => new(options =>
    {
        options
            .Strict()
            .DisableStringCompilation()
            .LimitMemory(MemoryLimit)
            .TimeoutInterval(TimeLimit)
            .LimitRecursion(RecursionLimit)
            .MaxStatements(StatementLimit);
        // Both run inside one built-in call, between the statement checks that enforce time and memory.
        options.Constraints.MaxArraySize = ArrayLimit;
        options.Constraints.RegexTimeout = TimeLimit;
    });

    private static JsValue ToJs(Engine engine, Payload? payload)
    {
        if (payload is null || payload.IsEmpty) return JsValue.Null;
        // Only plain JSON crosses into the sandbox, never a .NET object.
        return payload.Kind == PayloadKind.Json ? new JsonParser(engine).Parse(payload.ToString()) : new JsString(payload.AsText());
    }

    private static JsValue StateObject(Engine engine, IRunStateView? state)
    {
        var json = new System.Text.StringBuilder("{");
        if (state is not null)
        {
            var first = true;
            foreach (var name in state.Names)
            {
                if (!state.TryGet(name, out var value)) continue;
                if (!first) json.Append(',');
                first = false;
                json.Append(System.Text.Json.JsonSerializer.Serialize(name)).Append(':');
                json.Append(value.Kind == PayloadKind.Json ? value.ToString() : System.Text.Json.JsonSerializer.Serialize(value.AsText()));
            }
        }

        return new JsonParser(engine).Parse(json.Append('}').ToString());
    }

    private static Payload ToPayload(Engine engine, JsValue value)
    {
        if (value is JsString text) return Payload.FromText(text.ToString());
        if (value.IsUndefined()) return Payload.Empty;
        var json = new Jint.Native.Json.JsonSerializer(engine).Serialize(value);
        return json.IsUndefined() ? Payload.Empty : Payload.ParseJson(json.ToString());
    }
}
