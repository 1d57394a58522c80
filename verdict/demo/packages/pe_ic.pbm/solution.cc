#include <iostream>
#include <string>
using namespace std;

int main() {
    string word;
    cin >> word;
    cout << "Hello " << word << "!" << endl;
}
