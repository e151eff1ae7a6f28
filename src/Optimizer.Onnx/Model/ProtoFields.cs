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
}
