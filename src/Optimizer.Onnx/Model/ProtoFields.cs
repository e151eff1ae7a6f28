using System.Collections;
using Google.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Writes an IR property back into a proto only when it changed, so fields the source model
/// left absent stay absent (the .proto keeps proto2 presence) and round trips are exact.
/// </summary>
internal static class ProtoFields
{
    public static void SetIfChanged<T>(T current, T value, Action<T> set)
    {
        if (!EqualityComparer<T>.Default.Equals(current, value))
        {
            set(value);
        }
    }

    /// <summary>
    /// A deep copy of <paramref name="message"/> with <paramref name="fields"/> (repeated fields of
    /// it) empty. Their contents are moved aside while copying and put back after, so a template
    /// costs the parts the IR does not model, not a copy of every node and tensor only to clear it.
    /// </summary>
    public static T CloneWithout<T>(T message, params IList[] fields)
        where T : IDeepCloneable<T>
    {
        var saved = new object?[fields.Length][];
        for (var i = 0; i < fields.Length; i++)
        {
            saved[i] = new object?[fields[i].Count];
            fields[i].CopyTo(saved[i], 0);
            fields[i].Clear();
        }

        try
        {
            return message.Clone();
        }
        finally
        {
            for (var i = 0; i < fields.Length; i++)
            {
                foreach (var item in saved[i])
                {
                    fields[i].Add(item);
                }
            }
        }
    }
}
