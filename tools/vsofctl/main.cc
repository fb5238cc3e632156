int main() { return 1; }  // placeholder: vsofctl (being written)
