using System.Text;
using Baton.Cli;
using Baton.Yaml.Model;

namespace Baton.Soak.Fuzz;

/// <summary>
/// <c>--input name=value</c> and <c>--input-file</c> values, as <c>baton run</c> reads them, against declared inputs of
/// every type: JSON and YAML of every shape, wrong types, unknown names, huge and deeply nested values, alias bombs,
/// invalid UTF-8 files, missing files. Each must give the input object or the command's usage error (exit 2); nothing else.
/// </summary>
public sealed class InputValueTarget : IFuzzTarget
{
    private static readonly string[] Types = ["string", "number", "boolean", "object", "array"];

    private static readonly string[] Values =
    [
        "AI agents", "", "42", "-0", "1e999", "NaN", "true", "null", "[1, 2]", "{\"a\": 1}", "{\"a\":", "\"quoted\"", "'single'", "=", "==", "a=b=c",
        "\u00e9\u4e2d", "\uD800", "\0", "${env.HOME}", "{{ input }}", "[[[[[[[[[[]]]]]]]]]]", "0x10", "1_000", "- a\n- b", "&a [*a]", "*unknown",
    ];

    private string _dir = "";

    /// <inheritdoc/>
    public string Name => "inputs";

    /// <inheritdoc/>
    public int Weight => 15;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _dir = FuzzDirectory.Create("baton-fuzz-inputs-");
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<FuzzOutcome> RunAsync(int index, Random random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(random);
        var declared = Enumerable.Range(0, random.Next(0, 4))
            .Select(i => new InputDefinition($"in{i}", Types[random.Next(Types.Length)], random.Next(3) == 0 ? System.Text.Json.Nodes.JsonValue.Create("d") : null, random.Next(2) == 0))
            .ToList();
        var pairs = Enumerable.Range(0, random.Next(0, 4)).Select(_ => Pair(random, declared)).ToArray();
        string? file = null;
        if (random.Next(3) == 0)
        {
            file = Path.Combine(_dir, $"input-{index}.json");
            if (random.Next(10) > 0) await File.WriteAllBytesAsync(file, FileBytes(random, declared), cancellationToken);
        }

        try
        {
            var payload = await Inputs.ReadAsync(declared, pairs, file, cancellationToken);
            if (payload.Kind != PayloadKind.Json || payload.AsJson().ValueKind != System.Text.Json.JsonValueKind.Object) throw new FuzzFailure($"inputs read as {payload.Kind}, not an object");
            foreach (var input in declared.Where(d => d.Required && d.Default is null))
            {
                if (!payload.AsJson().TryGetProperty(input.Name, out _)) throw new FuzzFailure($"required input '{input.Name}' missing from {payload.AsText()}");
            }

            return FuzzOutcome.Accepted;
        }
        catch (UsageException ex)
        {
            if (string.IsNullOrWhiteSpace(ex.Message)) throw new FuzzFailure("a usage error without a message");
            return FuzzOutcome.Refused;
        }
        finally
        {
            if (file is not null) File.Delete(file);
        }
    }

    private static string Pair(Random random, List<InputDefinition> declared)
    {
        var name = declared.Count > 0 && random.Next(5) > 0 ? declared[random.Next(declared.Count)].Name : Pick(random, "topic", "", "in0 ", "=", "\u00e9", new string('n', 5000));
        var value = random.Next(8) switch
        {
            0 => new string('x', random.Next(0, 2_000_000)),
            1 => new string('[', random.Next(10, 100_000)),
            2 => string.Concat(Enumerable.Repeat("{\"a\":", random.Next(10, 5000))) + "1" + new string('}', random.Next(0, 5000)),
            _ => Pick(random, Values),
        };
        return random.Next(12) == 0 ? name + value : $"{name}={value}";
    }

    private static byte[] FileBytes(Random random, List<InputDefinition> declared)
    {
        switch (random.Next(7))
        {
            case 0:
                var bytes = new byte[random.Next(0, 5000)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                // An alias bomb in YAML.
                var bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
                for (var i = 1; i < random.Next(3, 14); i++) bomb.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
                return Encoding.UTF8.GetBytes(bomb.ToString());
            case 2:
                return Encoding.UTF8.GetBytes(new string('[', random.Next(10, 200_000)));
            case 3:
                return Encoding.UTF8.GetBytes(Pick(random, "[1, 2]", "42", "null", "", "\"text\"", "{", "- a\n- b", "key: [", "\uFEFF{\"in0\": 1}"));
            case 4:
                return Encoding.UTF8.GetBytes("x: \"" + new string('y', random.Next(100_000, 3_000_000)) + "\"");
            default:
                var json = new StringBuilder("{");
                foreach (var input in declared.Where(_ => random.Next(3) > 0)) json.Append($"\"{input.Name}\": {Pick(random, "1", "\"s\"", "true", "[1]", "{\"a\": null}", "null")}, ");
                if (random.Next(4) == 0) json.Append("\"unknown\": 1, ");
                json.Append("\"in0\": \"last\"}");
                return Encoding.UTF8.GetBytes(random.Next(2) == 0 ? json.ToString() : json.ToString().Replace("\"in0\": \"last\"", "in0: last", StringComparison.Ordinal));
        }
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        try
        {
            if (_dir.Length > 0) Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the temporary folder is left for the system to clean.
        }

        return ValueTask.CompletedTask;
    }
}
