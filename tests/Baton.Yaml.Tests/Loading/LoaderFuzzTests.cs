using System.Diagnostics;
using Baton.Yaml;

namespace Baton.Yaml.Tests.Loading;

/// <summary>Thousands of randomly broken workflow files (fixed seed): the loader never throws and never takes long.</summary>
public sealed class LoaderFuzzTests
{
    private const int Mutations = 3000;
    private static readonly string[] Fragments = ["{", "}", "[", "]", ":", "- ", "\t", "  ", "\"", "'", "{{", "}}", "&a", "*a", "!!str ", "#", "?", "|", ">", "when: ", "goto: end", "sequential: ", "states:", "~", "null", "1e999", "\u00e9", "\0"];

    [Fact]
    public void Mutated_files_give_a_document_or_positioned_errors_within_a_bound()
    {
        var random = new Random(424242);
        string[] seeds = [Examples.FirstFile, Examples.EveryStep];
        // Untimed first: the loader's one-time costs (JIT, type initialisation) are not a slow mutation, and on a busy
        // machine they took seconds inside the first timed ones.
        var warmUp = new Random(7);
        for (var i = 0; i < 200; i++) WorkflowFile.Read(i < seeds.Length ? seeds[i] : Mutate(seeds[i % seeds.Length], warmUp), "warm-up.yaml");
        var valid = 0;
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < Mutations; i++)
        {
            var text = Mutate(seeds[i % seeds.Length], random);
            var clock = Stopwatch.StartNew();
            WorkflowFileReadResult result;
            try
            {
                result = WorkflowFile.Read(text, "fuzz.yaml");
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutation {i} threw {ex.GetType().Name}: {ex.Message}\n---\n{text}");
                return;
            }

            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            // A hang guard, far above a real read (milliseconds) even on a loaded machine: a bound, not a benchmark.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"mutation {i} took {clock.Elapsed}");
            if (result.IsValid)
            {
                Assert.NotNull(result.Document);
                valid++;
                continue;
            }

            Assert.Null(result.Document);
            var lines = text.Split('\n').Length;
            foreach (var error in result.Errors)
            {
                Assert.True(error.Line >= 1 && error.Line <= lines + 1 && error.Column >= 1, $"mutation {i}: {error} is outside the file");
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            }
        }

        // Some mutations are harmless (a comment, a space): both outcomes must occur.
        Assert.InRange(valid, 1, Mutations - 1);
    }

    private static string Mutate(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(lines.Count);
            switch (random.Next(6))
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
                    var line = lines[at];
                    var pos = line.Length == 0 ? 0 : random.Next(line.Length);
                    lines[at] = line[..pos] + Fragments[random.Next(Fragments.Length)] + line[pos..];
                    break;
                case 4:
                    lines[at] = lines[at].Length > 0 ? lines[at][..random.Next(lines[at].Length)] : lines[at];
                    break;
                default:
                    lines[at] = new string(' ', random.Next(0, 6)) + lines[at].TrimStart();
                    break;
            }

            if (lines.Count == 0) lines.Add("");
        }

        return string.Join('\n', lines);
    }
}
