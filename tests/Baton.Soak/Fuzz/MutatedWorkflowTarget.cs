using Baton.Yaml;

namespace Baton.Soak.Fuzz;

/// <summary>The sample workflow files, broken at random: lines dropped, repeated, swapped, cut, re-indented, and
/// fragments spliced in (YAML syntax, aliases and alias bombs, deep nesting, control characters, lone surrogates).</summary>
public sealed class MutatedWorkflowTarget : IFuzzTarget
{
    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ":", "- ", "\t", "  ", "\"", "'", "{{", "}}", "{%", "%}", "&a", "*a", "!!str ", "!!binary ", "!<tag:x> ", "#", "?", "|", ">",
        "when: ", "goto: end", "sequential: ", "states:", "~", "null", "1e999", "-0", "0x1F", ".inf", "\u00e9", "\0", "\u0001", "\uFEFF", "\uD800", "\uDFFF",
        "<<: *a", "${env.HOME}", "${env.", "{{ input | json }}", "{% for i in (1..100000000) %}x{% endfor %}", "$ref: http://127.0.0.1:9/x",
        "while(true){}", "constructor.constructor('return process')()", "---", "...", "%YAML 1.1", "%TAG ! tag:x:",
    ];

    private string[] _seeds = [];

    /// <inheritdoc/>
    public string Name => "workflow-mutated";

    /// <inheritdoc/>
    public int Weight => 30;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "seeds");
        _seeds = Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        if (_seeds.Length == 0) throw new InvalidOperationException($"no seed workflow files in {dir}");
        // Untimed: the loader's one-time costs (JIT, type initialisation) are not a slow input.
        foreach (var seed in _seeds) WorkflowFile.Read(seed, "warm-up.yaml");
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<FuzzOutcome> RunAsync(int index, Random random, CancellationToken cancellationToken) =>
        Task.FromResult(WorkflowFileCheck.Check(Mutate(_seeds[index % _seeds.Length], random)));

    /// <summary>Breaks <paramref name="text"/> in one to four places.</summary>
    public static string Mutate(string text, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var lines = (text ?? "").Split('\n').ToList();
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            var at = random.Next(lines.Count);
            // The costly breakages (deep nesting, alias bombs, huge files) one time in ten: each still runs thousands of times.
            switch (random.Next(random.Next(10) == 0 ? 10 : 7))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[random.Next(lines.Count)]);
                    break;
                case 2:
                    var other = random.Next(lines.Count);
                    (lines[at], lines[other]) = (lines[other], lines[at]);
                    break;
                case 3:
                case 4:
                    var line = lines[at];
                    var pos = line.Length == 0 ? 0 : random.Next(line.Length);
                    lines[at] = line[..pos] + Fragments[random.Next(Fragments.Length)] + line[pos..];
                    break;
                case 5:
                    lines[at] = lines[at].Length > 0 ? lines[at][..random.Next(lines[at].Length)] : lines[at];
                    break;
                case 6:
                    lines[at] = new string(' ', random.Next(0, 6)) + lines[at].TrimStart();
                    break;
                case 7:
                    // Deep nesting: flow collections or block indentation hundreds of levels down.
                    var depth = random.Next(50, 3000);
                    lines.Insert(at, random.Next(2) == 0 ? "deep: " + new string('[', depth) + new string(']', depth) : "deep: " + string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth));
                    break;
                case 8:
                    // An alias bomb: each level names the previous one ten times.
                    var bomb = new System.Text.StringBuilder("bomb0: &b0 [x, x, x, x, x, x, x, x, x, x]");
                    for (var level = 1; level < random.Next(3, 12); level++) bomb.Append($"\nbomb{level}: &b{level} [{string.Join(", ", Enumerable.Repeat($"*b{level - 1}", 10))}]");
                    lines.Insert(at, bomb.ToString());
                    break;
                default:
                    // A huge scalar or a flood of keys.
                    lines.Insert(at, random.Next(2) == 0 ? "huge: \"" + new string('x', random.Next(1000, 2_000_000)) + "\"" : string.Join("\n", Enumerable.Range(0, random.Next(100, 20000)).Select(k => $"k{k}: {k}")));
                    break;
            }

            if (lines.Count == 0) lines.Add("");
        }

        return string.Join('\n', lines);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
