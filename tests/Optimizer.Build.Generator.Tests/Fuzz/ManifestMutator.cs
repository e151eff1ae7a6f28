using System.Globalization;
using System.Text;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests.Fuzz;

/// <summary>
/// Deterministic mutations of a manifest's JSON text, as a corrupted or crafted file would hold:
/// character flips, hostile text inserted into strings (escaped and raw), extreme numbers, deleted,
/// duplicated and truncated spans. The same seed gives the same mutants.
/// </summary>
internal sealed class ManifestMutator(int seed)
{
    private static readonly string[] Numbers = ["0", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775808", "1e308", "0.5", "-0"];

    private readonly Random _random = new(seed);

    /// <summary>One to three mutations of <paramref name="json"/>.</summary>
    public string Mutate(string json)
    {
        var text = new StringBuilder(json);
        for (int count = 1 + _random.Next(3); count > 0 && text.Length > 0; count--)
        {
            int at = _random.Next(text.Length);
            switch (_random.Next(7))
            {
                case 0: // flip one character, to printable ASCII or a breaker's first character
                    text[at] = _random.Next(2) == 0 ? (char)_random.Next(' ', '~' + 1) : Pick(HostileManifests.Breakers)[0];
                    break;
                case 1: // a breaker inside a string, JSON-escaped
                    InsertIntoString(text, at, HostileManifests.Json(Pick(HostileManifests.Breakers))[1..^1]);
                    break;
                case 2: // a breaker or the attack inside a string, raw (control characters make the JSON invalid)
                    InsertIntoString(text, at, _random.Next(4) == 0 ? HostileManifests.ModuleInitializerAttack : Pick(HostileManifests.Breakers));
                    break;
                case 3: // an extreme number in place of one
                    ReplaceNumber(text, at);
                    break;
                case 4: // delete a span
                    text.Remove(at, Math.Min(text.Length - at, 1 + _random.Next(16)));
                    break;
                case 5: // duplicate a span
                    text.Insert(_random.Next(text.Length), text.ToString(at, Math.Min(text.Length - at, 1 + _random.Next(32))));
                    break;
                default: // truncate
                    text.Length = at;
                    break;
            }
        }

        return text.ToString();
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>Inserts after the next opening or closing quote at or after <paramref name="at"/> (anywhere when there is none).</summary>
    private void InsertIntoString(StringBuilder text, int at, string value)
    {
        int quote = text.ToString().IndexOf('"', at);
        text.Insert(quote < 0 ? at : quote + 1, value);
    }

    private void ReplaceNumber(StringBuilder text, int at)
    {
        string s = text.ToString();
        int start = at;
        while (start < s.Length && !char.IsAsciiDigit(s[start]))
        {
            start++;
        }

        int end = start;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        if (end > start)
        {
            text.Remove(start, end - start).Insert(start, Pick(Numbers));
        }
    }
}
