/* One exported function compiled from source that never went through rewrite. */
int forgotten(int x)
{
	return x * 3;
}
